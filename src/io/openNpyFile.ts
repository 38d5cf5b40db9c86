import { closeSync, fstatSync, openSync } from 'node:fs';
import { FormatError } from '../core/errors.js';
import { FileMatrix, readExactly } from './FileMatrix.js';
import { parseNpyHeader } from './readNpy.js';

const FN = 'openNpyFile';

/**
 * Open a `.npy` file of a 1-D or 2-D float array (float16, float32 or float64; any size, any
 * byte order, C or Fortran order) WITHOUT reading its data: the header is read and validated
 * against the file size, and the returned `FileMatrix` reads rows on demand by positional reads.
 * A 1-D array of length `m` is an `m × 1` column. Node-only.
 *
 * @param path - the file.
 * @returns the matrix, its shape and stored dtype; `readRows(start, end)` / `readAll()` read it.
 * @throws FormatError when the file is not a valid `.npy` file (saying what is wrong and at which
 *   byte), or does not hold a 1-D or 2-D float array.
 * @throws Error (Node's, with `code` ENOENT, EISDIR, EACCES, …) when the file cannot be opened.
 * @example
 * ```ts
 * const H = openNpyFile('H16.npy');          // 150 × 8 float16 (10⁶ × 4096 alike): reads the header only
 * const first = H.readRows(0, 100);          // 100 × 8, widened to float32
 * [H.storedDType, first.rows, first.cols, first.data instanceof Float32Array]; // → ['float16', 100, 8, true]
 * ```
 */
export function openNpyFile(path: string): FileMatrix {
  const fd = openSync(path, 'r');
  let header;
  try {
    const size = fstatSync(fd).size;
    let prefix = new Uint8Array(Math.min(size, 4096));
    readExactly(fd, prefix, 0, prefix.length, 0, path);
    header = parseNpyHeader(FN, "argument 'path' must be a valid .npy file", prefix, size);
    if (header === null) {
      // A header longer than 4 KiB (version 2.0/3.0 allow up to 4 GiB): read exactly what it announces.
      const dv = new DataView(prefix.buffer);
      const need = prefix[6] === 1 ? 10 + dv.getUint16(8, true) : 12 + dv.getUint32(8, true);
      prefix = new Uint8Array(need);
      readExactly(fd, prefix, 0, need, 0, path);
      header = parseNpyHeader(FN, "argument 'path' must be a valid .npy file", prefix, size)!;
    }
  } finally {
    closeSync(fd);
  }
  const { shape, dtype } = header;
  if (!(dtype === 'float16' || dtype === 'float32' || dtype === 'float64') || (shape.length !== 1 && shape.length !== 2)) {
    throw new FormatError(`${FN}: argument 'path' must be a .npy file of a 1-D or 2-D float array (float16, float32 or float64); got ${dtype} with shape (${shape.join(', ')})`);
  }
  return new FileMatrix({
    path,
    source: path,
    dataStart: header.dataStart,
    rows: shape[0],
    cols: shape.length === 2 ? shape[1] : 1,
    ndim: shape.length,
    storedDType: dtype,
    littleEndian: header.littleEndian,
    fortranOrder: header.fortranOrder && shape.length === 2,
  });
}
