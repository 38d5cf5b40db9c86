import fc from 'fast-check';
import { DomainError, FormatError, ShapeError } from '../../src/core/errors.js';
import { readNpy, writeNpy } from '../../src/io/index.js';
import { fromRows } from '../../src/core/matrix.js';

/**
 * A .npy file built by hand from the published format (numpy.lib.format, NEP 1): the magic string
 * \x93NUMPY, major and minor version bytes, a little-endian header length (2 bytes in 1.0, 4 in
 * 2.0/3.0), the header dict padded with spaces and a final newline so that the total before the data
 * is a multiple of 64, then the raw data.
 */
function handBuilt(dict: string, data: Uint8Array, version = 1, align = 64): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const headerBytes = new TextEncoder().encode(dict);
  const total = Math.ceil((prefix + headerBytes.length + 1) / align) * align;
  const hlen = total - prefix;
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) {
    out[8] = hlen & 0xff;
    out[9] = hlen >> 8;
  } else {
    out[8] = hlen & 0xff;
    out[9] = (hlen >> 8) & 0xff;
    out[10] = (hlen >> 16) & 0xff;
    out[11] = hlen >>> 24;
  }
  out.set(headerBytes, prefix);
  out.fill(0x20, prefix + headerBytes.length, total - 1);
  out[total - 1] = 0x0a;
  out.set(data, total);
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

describe('readNpy on hand-built files', () => {
  it('reads a version 1.0 little-endian float64 2-D array in C order', () => {
    const bytes = handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", bytesOf(Float64Array.of(1, 2, 3, 4, 5, 6)));
    // The data (48 bytes) starts at a multiple of 64.
    expect((bytes.length - 48) % 64).toBe(0);
    const a = readNpy(bytes);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float64');
    expect(a.descr).toBe('<f8');
    expect(a.version).toBe('1.0');
    expect(Array.from(a.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.matrix).toEqual({ rows: 2, cols: 3, data: a.data });
  });

  it('reads version 2.0 and 3.0 (UTF-8 header) files, 1-D and 0-D shapes, and old 16-byte alignment', () => {
    const v2 = readNpy(handBuilt("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", bytesOf(Float32Array.of(1.5, -2, 3)), 2));
    expect(v2.version).toBe('2.0');
    expect(v2.shape).toEqual([3]);
    expect(v2.matrix).toEqual({ rows: 3, cols: 1, data: Float32Array.of(1.5, -2, 3) });
    const v3 = readNpy(handBuilt("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), } ", bytesOf(Int32Array.of(-7, 9)), 3));
    expect(v3.version).toBe('3.0');
    expect(Array.from(v3.data as Int32Array)).toEqual([-7, 9]);
    expect(v3.matrix).toBeUndefined(); // integers have no Matrix form
    const scalar = readNpy(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", bytesOf(Float64Array.of(42))));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([42]);
    const old = readNpy(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", bytesOf(Float64Array.of(5)), 1, 16));
    expect(Array.from(old.data as Float64Array)).toEqual([5]);
  });

  it('accepts double quotes, any key order and Python 2 long integers', () => {
    const a = readNpy(handBuilt('{"shape": (2L, 1L), "fortran_order": False, "descr": "<f8"}', bytesOf(Float64Array.of(1, 2))));
    expect(a.shape).toEqual([2, 1]);
  });

  it('converts big-endian data', () => {
    const be = new Uint8Array(16);
    const dv = new DataView(be.buffer);
    dv.setFloat64(0, 1.25, false);
    dv.setFloat64(8, -3, false);
    const a = readNpy(handBuilt("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be));
    expect(Array.from(a.data as Float64Array)).toEqual([1.25, -3]);
    const bi = new Uint8Array(8);
    new DataView(bi.buffer).setInt32(0, -5, false);
    new DataView(bi.buffer).setInt32(4, 70000, false);
    expect(Array.from(readNpy(handBuilt("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", bi)).data as Int32Array)).toEqual([-5, 70000]);
  });

  it('transposes a Fortran-order 2-D array into C order', () => {
    // The 2×3 matrix [[1,2,3],[4,5,6]] in column-major order is 1,4,2,5,3,6.
    const file = handBuilt("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", bytesOf(Float32Array.of(1, 4, 2, 5, 3, 6)));
    const copy = file.slice();
    const a = readNpy(file);
    expect(file).toEqual(copy); // the input bytes are not modified by the transposition
    expect(a.fortranOrder).toBe(true);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('widens float16 exactly and reads bool and uint8', () => {
    // 0x3c00 = 1, 0xc000 = −2, 0x7bff = 65504 (largest), 0x0001 = 2⁻²⁴ (smallest subnormal).
    const h = bytesOf(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001));
    const a = readNpy(handBuilt("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", h));
    expect(a.dtype).toBe('float16');
    expect(Array.from(a.data as Float32Array)).toEqual([1, -2, 65504, 2 ** -24]);
    const b = readNpy(handBuilt("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.of(1, 0)));
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0]);
  });

  it('returns a zero-copy view when the data is aligned, and a copy when it is not', () => {
    const bytes = writeNpy(fromRows([[1, 2], [3, 4]], 'float32'));
    const a = readNpy(bytes);
    expect(a.data.buffer).toBe(bytes.buffer);
    // Shift the file by one byte inside a larger buffer: the data start is no longer 4-aligned.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const b = readNpy(shifted.subarray(1));
    expect(b.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(b.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});

describe('readNpy rejects truncated and corrupt files with FormatErrors that say what and where', () => {
  const good = handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", bytesOf(Float64Array.of(1, 2, 3, 4)));
  const expectFormat = (bytes: Uint8Array, message: string): void => {
    expect(() => readNpy(bytes)).toThrow(FormatError);
    expect(() => readNpy(bytes)).toThrow(message);
  };

  it('bad magic', () => {
    const b = good.slice();
    b[1] = 0x4d;
    expectFormat(b, "readNpy: argument 'bytes' must be a valid .npy file; got 0x4d where the magic string \\x93NUMPY was expected at byte 1");
    expectFormat(Uint8Array.of(0x93, 0x4e), "readNpy: argument 'bytes' must be a valid .npy file; got a file of only 2 bytes (truncated inside the magic string) at byte 2");
  });

  it('unsupported version', () => {
    const b = good.slice();
    b[6] = 4;
    expectFormat(b, 'got format version 4.0 (supported: 1.0, 2.0, 3.0) at byte 6');
  });

  it('truncated before the header length', () => {
    expectFormat(good.slice(0, 8), 'got a file of only 8 bytes (truncated before the header length) at byte 8');
    const v2 = handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8), 2);
    expectFormat(v2.slice(0, 11), 'got a file of only 11 bytes (truncated before the header length) at byte 11');
  });

  it('truncated header and truncated data', () => {
    expectFormat(good.slice(0, 40), 'got a header length of 118 bytes but only 30 bytes after it (truncated header) at byte 8');
    expectFormat(good.slice(0, good.length - 3), 'got 29 data bytes but shape (2, 2) × 8 bytes needs 32 (truncated data) at byte 157');
  });

  it('size mismatch: extra bytes after the data', () => {
    const b = new Uint8Array(good.length + 8);
    b.set(good);
    expectFormat(b, 'got 40 data bytes but shape (2, 2) × 8 bytes needs 32 (size mismatch: 8 extra bytes) at byte 160');
  });

  it('bad headers', () => {
    expectFormat(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2) ", new Uint8Array(32)), "got a header that is not a Python dict literal (expected ',' or '}') at byte 128"); // the end of the header
    expectFormat(handBuilt("['descr']", new Uint8Array(0)), "got a header that is not a Python dict literal (expected '{') at byte 10");
    expectFormat(handBuilt("{'descr': '<f8', 'shape': (2,), }", new Uint8Array(16)), 'got header keys {descr, shape} (expected exactly descr, fortran_order, shape) at byte 10');
    expectFormat(
      handBuilt("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)),
      'got a header that is not a Python dict literal (a list value; structured dtypes are not supported) at byte 20',
    );
    expectFormat(handBuilt("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(32)), "got dtype descr '<c16' (supported:");
    expectFormat(handBuilt("{'descr': '<f8', 'fortran_order': 'no', 'shape': (2,), }", new Uint8Array(16)), "got fortran_order 'no' (expected True or False) at byte 10");
    expectFormat(handBuilt("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1, 2), }", new Uint8Array(16)), 'got a Fortran-order array with 3 axes');
    expectFormat(handBuilt("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), "got dtype descr '|f4' (a multi-byte type needs a byte order, < or >) at byte 10");
    expectFormat(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2.5,), }", new Uint8Array(16)), "got a header that is not a Python dict literal (expected ',' or ')' in the shape tuple) at byte 62");
  });

  it('a non-Uint8Array argument is a DomainError', () => {
    expect(() => readNpy('x' as unknown as Uint8Array)).toThrow(DomainError);
    expect(() => readNpy('x' as unknown as Uint8Array)).toThrow("readNpy: argument 'bytes' must be a Uint8Array (the file contents); got \"x\"");
  });
});

describe('writeNpy', () => {
  it('writes the published layout: version 1.0, header padded with spaces to 64 bytes, newline last', () => {
    const bytes = writeNpy(fromRows([[1, 2, 3], [4, 5, 6]], 'float32'));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = bytes[8] | (bytes[9] << 8);
    expect((10 + hlen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
    // The same header text numpy 2.x writes for np.save of a (2, 3) float32 array.
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(header.endsWith(' \n')).toBe(true);
    expect(bytes.length).toBe(10 + hlen + 24);
  });

  it('switches to format version 2.0 when the header does not fit in 65,535 bytes, as NumPy does', () => {
    // 30,000 axes of length 1 make a header of about 90 kB (NumPy itself caps ndim at 64, but the
    // format does not; a large structured dtype is the usual real cause).
    const shape = new Array<number>(30000).fill(1);
    const bytes = writeNpy(Float64Array.of(7), shape);
    expect(bytes[6]).toBe(2);
    const hlen = new DataView(bytes.buffer).getUint32(8, true);
    expect(hlen).toBeGreaterThan(0xffff);
    expect((12 + hlen) % 64).toBe(0);
    expect(bytes[12 + hlen - 1]).toBe(0x0a);
    const back = readNpy(bytes);
    expect(back.version).toBe('2.0');
    expect(back.shape).toEqual(shape);
    expect(Array.from(back.data as Float64Array)).toEqual([7]);
  });

  it('round-trips every dtype, values and shapes (fast-check, 50 runs)', () => {
    const makers: [string, (xs: number[]) => ArrayBufferView, string][] = [
      ['float32', (xs) => Float32Array.from(xs), '<f4'],
      ['float64', (xs) => Float64Array.from(xs), '<f8'],
      ['int8', (xs) => Int8Array.from(xs, (x) => Math.round(x) % 128), '|i1'],
      ['int16', (xs) => Int16Array.from(xs, (x) => Math.round(x * 100) % 32768), '<i2'],
      ['int32', (xs) => Int32Array.from(xs, (x) => Math.round(x * 1e6)), '<i4'],
      ['int64', (xs) => BigInt64Array.from(xs, (x) => BigInt(Math.round(x * 1e9)) * 1000003n), '<i8'],
      ['uint8', (xs) => Uint8Array.from(xs, (x) => Math.abs(Math.round(x)) % 256), '|u1'],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: makers.length - 1 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 0, maxLength: 24 }),
        fc.integer({ min: 1, max: 4 }),
        (t, xs, cols) => {
          const [dtype, make, descr] = makers[t];
          const arr = make(xs.slice(0, Math.floor(xs.length / cols) * cols)) as Float32Array;
          const shape = [arr.length / cols, cols];
          const back = readNpy(writeNpy(arr, shape));
          expect(back.dtype).toBe(dtype);
          expect(back.descr).toBe(descr);
          expect(back.shape).toEqual(shape);
          expect(back.data).toEqual(arr);
        },
      ),
      { seed: 77, numRuns: 50 },
    );
  });

  it('round-trips matrices of both precisions with their shape and the bits of NaN-free values', () => {
    const m64 = fromRows([[Math.PI, -0, 1e-310], [Number.MAX_VALUE, -1, 2]]);
    const back = readNpy(writeNpy(m64));
    expect(back.matrix!.rows).toBe(2);
    expect(Object.is((back.data as Float64Array)[1], -0)).toBe(true);
    expect(back.data).toEqual(m64.data);
    const m32 = fromRows([[1, 2]], 'float32');
    expect(readNpy(writeNpy(m32)).matrix).toEqual(m32);
  });

  it('does not mutate its input, and rejects bad arguments', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    writeNpy(x, [2, 2]);
    expect(Array.from(x)).toEqual([1, 2, 3, 4]);
    expect(() => writeNpy(x, [3])).toThrow(ShapeError);
    expect(() => writeNpy(x, [3])).toThrow("writeNpy: argument 'shape' must be a shape with 4 elements (the length of the data); got (3) with 3");
    expect(() => writeNpy(x, [-1, -4])).toThrow("writeNpy: argument 'shape' must be an array of non-negative integers; got an array of length 2");
    expect(() => writeNpy(new Uint16Array(2) as unknown as Uint8Array)).toThrow(DomainError);
    expect(() => writeNpy({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(ShapeError);
  });
});
