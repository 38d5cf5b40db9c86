/**
 * A float matrix stored in a file (`.npy` or one tensor of a safetensors file), read by positional
 * reads of only the bytes asked for: a file of any size (beyond 2 GiB, beyond memory) can be read
 * row chunk by row chunk. Node-only (`node:fs`); the numerical code never imports it, it only sees
 * the `HiddenRowSource` interface that a `FileMatrix` implements.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { FormatError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { bfloat16ToFloat, halfToFloat } from './halfFloat.js';
import { HOST_LITTLE_ENDIAN } from './npyFormat.js';
import { countOf } from '../core/countOf.js';

/** The float precisions a file may store (float16 and bfloat16 are widened to float32 on reading). */
export type StoredFloatDType = 'float16' | 'bfloat16' | 'float32' | 'float64';

/** Where and how a matrix lies in its file (what a header parser found). */
export interface FileMatrixLayout {
  /** The file holding the data. */
  readonly path: string;
  /** A short description for reports, e.g. `'H.npy'` or `'model.safetensors:lm_head.weight'`. */
  readonly source: string;
  /** Byte offset of element (0, 0). */
  readonly dataStart: number;
  readonly rows: number;
  readonly cols: number;
  /** 1 for a vector (read as a `rows × 1` column), 2 for a matrix. */
  readonly ndim: number;
  readonly storedDType: StoredFloatDType;
  readonly littleEndian: boolean;
  /** Column-major storage (a Fortran-order `.npy`). */
  readonly fortranOrder: boolean;
}

/**
 * Bytes read per `readSync` call when the raw bytes need converting (float16/bfloat16 widening,
 * byte swapping, Fortran order): the working set of a read besides its result, 8 MiB.
 */
export const FILE_READ_BLOCK_BYTES = 8 << 20;

const ITEMSIZE: Record<StoredFloatDType, number> = { float16: 2, bfloat16: 2, float32: 4, float64: 8 };

/** Read exactly `length` bytes at `position` into `buf[offset …]` (looping over short reads). */
export function readExactly(fd: number, buf: Uint8Array, offset: number, length: number, position: number, path: string): void {
  let done = 0;
  while (done < length) {
    // readSync takes at most 2³¹ − 1 bytes per call.
    const want = Math.min(length - done, 0x7fff0000);
    const got = readSync(fd, buf, offset + done, want, position + done);
    if (got <= 0) throw new FormatError(`FileMatrix: file '${path}' must hold ${countOf(length, 'byte')} at byte ${position}; got the end of the file after ${done} (truncated while reading?)`);
    done += got;
  }
}

/**
 * A matrix in a file, read on demand. `readRows(start, end)` reads only rows `[start, end)`;
 * `readAll()` reads everything. float16 and bfloat16 are widened to float32 block by block
 * (never a whole second copy); float64 stays float64.
 *
 * @example
 * ```ts
 * const H = openNpyFile('H.npy');             // 150 × 8: reads the header only
 * let sum = 0;
 * for (let r = 0; r < H.rows; r += 64) {
 *   const block = H.readRows(r, Math.min(H.rows, r + 64)); // at most 64 rows in memory
 *   for (const x of block.data) sum += x;
 * }
 * sum; // → H.readAll().data.reduce((s, x) => s + x, 0)
 * ```
 */
export class FileMatrix {
  readonly path: string;
  readonly source: string;
  readonly rows: number;
  readonly cols: number;
  readonly ndim: number;
  readonly storedDType: StoredFloatDType;
  /** Bytes of the stored data. */
  readonly byteLength: number;
  /**
   * When true, `readRows` returns a view of one buffer that it reuses (grown as needed): each call
   * overwrites the previous result. For streaming consumers that finish with a chunk before
   * asking for the next (`anchorSweep`, `lmtransfer anchor`), this keeps memory at one chunk
   * instead of leaving every chunk read to the garbage collector. Default false (fresh arrays).
   */
  reuseBuffer = false;
  private readonly layout: FileMatrixLayout;
  private buffer: Float32Array | Float64Array | null = null;

  /** A matrix at `layout` (made by `openNpyFile` / `openSafetensorsTensor`, which validate it). */
  constructor(layout: FileMatrixLayout) {
    this.layout = layout;
    this.path = layout.path;
    this.source = layout.source;
    this.rows = layout.rows;
    this.cols = layout.cols;
    this.ndim = layout.ndim;
    this.storedDType = layout.storedDType;
    this.byteLength = layout.rows * layout.cols * ITEMSIZE[layout.storedDType];
  }

  /** All rows. */
  readAll(): Matrix {
    return this.readRows(0, this.rows);
  }

  /**
   * Rows `[start, end)` as a row-major matrix: float64 for float64 files, float32 otherwise; a
   * fresh one, or with `reuseBuffer` a view of the reused buffer.
   *
   * @throws FormatError when the range is not within `[0, rows]`, or the file shrank since it was opened.
   */
  readRows(start: number, end: number): Matrix {
    const L = this.layout;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= L.rows)) {
      throw new FormatError(`FileMatrix.readRows: arguments 'start', 'end' must satisfy 0 ≤ start ≤ end ≤ ${L.rows}; got ${start}, ${end}`);
    }
    const d = L.cols;
    const nr = end - start;
    const count = nr * d;
    const size = ITEMSIZE[L.storedDType];
    let out: Float32Array | Float64Array;
    if (this.reuseBuffer) {
      if (!this.buffer || this.buffer.length < count) this.buffer = L.storedDType === 'float64' ? new Float64Array(count) : new Float32Array(count);
      out = this.buffer.subarray(0, count);
    } else out = L.storedDType === 'float64' ? new Float64Array(count) : new Float32Array(count);
    if (count === 0) return { rows: nr, cols: d, data: out };
    const fd = openSync(L.path, 'r');
    try {
      if (L.fortranOrder && d > 1) {
        // Column-major: each column's segment [start, end) is contiguous; scatter it with stride d.
        const seg = new Uint8Array(Math.min(nr * size, FILE_READ_BLOCK_BYTES - (FILE_READ_BLOCK_BYTES % size)));
        const perBlock = seg.length / size;
        for (let j = 0; j < d; j++) {
          for (let r0 = 0; r0 < nr; r0 += perBlock) {
            const k = Math.min(perBlock, nr - r0);
            readExactly(fd, seg, 0, k * size, L.dataStart + ((j * L.rows) + start + r0) * size, L.path);
            this.convert(seg, k, (t, v) => (out[(r0 + t) * d + j] = v));
          }
        }
      } else {
        const pos = L.dataStart + start * d * size;
        const direct = (L.storedDType === 'float32' || L.storedDType === 'float64') && L.littleEndian === HOST_LITTLE_ENDIAN;
        if (direct) {
          // Straight into the result's memory: no second buffer.
          readExactly(fd, new Uint8Array(out.buffer, out.byteOffset, count * size), 0, count * size, pos, L.path);
        } else {
          const block = new Uint8Array(Math.min(count * size, FILE_READ_BLOCK_BYTES - (FILE_READ_BLOCK_BYTES % size)));
          const perBlock = block.length / size;
          for (let e0 = 0; e0 < count; e0 += perBlock) {
            const k = Math.min(perBlock, count - e0);
            readExactly(fd, block, 0, k * size, pos + e0 * size, L.path);
            this.convert(block, k, (t, v) => (out[e0 + t] = v));
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return { rows: nr, cols: d, data: out };
  }

  /** Decode `k` stored elements from `raw` (widening 16-bit floats exactly, swapping bytes). */
  private convert(raw: Uint8Array, k: number, put: (t: number, v: number) => void): void {
    const L = this.layout;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const le = L.littleEndian;
    switch (L.storedDType) {
      case 'float16':
        for (let t = 0; t < k; t++) put(t, halfToFloat(dv.getUint16(2 * t, le)));
        break;
      case 'bfloat16':
        for (let t = 0; t < k; t++) put(t, bfloat16ToFloat(dv.getUint16(2 * t, le)));
        break;
      case 'float32':
        for (let t = 0; t < k; t++) put(t, dv.getFloat32(4 * t, le));
        break;
      default:
        for (let t = 0; t < k; t++) put(t, dv.getFloat64(8 * t, le));
    }
  }
}
