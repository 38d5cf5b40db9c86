// Node-only entry of src/io/: readers by positional reads (`node:fs`) for files of any size and
// sharded checkpoints. Not re-exported from the package root (src/index.ts), which stays free of
// Node built-ins; the CLI imports it directly.
export { FileMatrix } from './FileMatrix.js';
export type { FileMatrixLayout, StoredFloatDType } from './FileMatrix.js';
export { openNpyFile } from './openNpyFile.js';
export { openSafetensorsTensor } from './openSafetensorsTensor.js';
export type { OpenSafetensorsTensorOptions } from './openSafetensorsTensor.js';
