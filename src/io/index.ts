// Public exports of src/io/: NumPy .npy and safetensors files.
export { readNpy } from './readNpy.js';
export type { NpyArray, NpyData, NpyDType } from './readNpy.js';
export { writeNpy } from './writeNpy.js';
export type { NpyWritable } from './writeNpy.js';
export { readSafetensors } from './readSafetensors.js';
export type { ReadSafetensorsOptions, SafetensorsData, SafetensorsDType, SafetensorsEntry, SafetensorsFile, SafetensorsTensor } from './readSafetensors.js';
export { writeSafetensors } from './writeSafetensors.js';
export type { SafetensorsInput } from './writeSafetensors.js';
export { toInt32Indices } from './toInt32Indices.js';
export type { IndexLike, ToInt32IndicesOptions } from './toInt32Indices.js';
