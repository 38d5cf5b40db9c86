import { DomainError, FormatError, ShapeError } from '../../src/core/errors.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../src/io/halfFloat.js';
import { readSafetensors, writeSafetensors } from '../../src/io/index.js';
import { fromRows } from '../../src/core/matrix.js';

/**
 * A safetensors file built by hand from the published format (huggingface/safetensors README): an
 * 8-byte little-endian header length N, N bytes of JSON, then the data section.
 */
function handBuilt(header: unknown, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode((typeof header === 'string' ? header : JSON.stringify(header)) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function le(values: number[], kind: 'f32' | 'f64' | 'u16'): Uint8Array {
  const size = kind === 'f64' ? 8 : kind === 'f32' ? 4 : 2;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => (kind === 'f64' ? dv.setFloat64(8 * i, v, true) : kind === 'f32' ? dv.setFloat32(4 * i, v, true) : dv.setUint16(2 * i, v, true)));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('readSafetensors on hand-built files', () => {
  // F32 2×2 at [0,16), F64 (2,) at [16,32), F16 (2,) at [32,36), BF16 (2,) at [36,40), I32 (1,) at [40,44).
  const data = concat(le([1, 2, 3, 4], 'f32'), le([0.5, -8], 'f64'), le([0x3c00, 0xc400], 'u16'), le([0x3f80, 0xc0a0], 'u16'), Uint8Array.of(7, 0, 0, 0));
  const header = {
    __metadata__: { format: 'pt' },
    'wte.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    bias: { dtype: 'F64', shape: [2], data_offsets: [16, 32] },
    half: { dtype: 'F16', shape: [2], data_offsets: [32, 36] },
    brain: { dtype: 'BF16', shape: [1, 2], data_offsets: [36, 40] },
    count: { dtype: 'I32', shape: [], data_offsets: [40, 44] },
  };
  const file = handBuilt(header, data);

  it('parses every tensor, dtype and the metadata, without modifying the bytes', () => {
    const copy = file.slice();
    const f = readSafetensors(file);
    expect(file).toEqual(copy);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.entries.map((e) => e.name)).toEqual(['wte.weight', 'bias', 'half', 'brain', 'count']);
    expect(f.tensors.get('wte.weight')!.matrix).toEqual({ rows: 2, cols: 2, data: Float32Array.of(1, 2, 3, 4) });
    expect(f.tensors.get('bias')!.data).toEqual(Float64Array.of(0.5, -8));
    expect(f.tensors.get('bias')!.matrix).toEqual({ rows: 2, cols: 1, data: Float64Array.of(0.5, -8) });
    // F16 0x3c00 = 1, 0xc400 = −4; BF16 0x3f80 = 1, 0xc0a0 = −5.
    expect(f.tensors.get('half')!.data).toEqual(Float32Array.of(1, -4));
    expect(f.tensors.get('brain')!.matrix).toEqual({ rows: 1, cols: 2, data: Float32Array.of(1, -5) });
    expect(f.tensors.get('count')!.data).toEqual(Int32Array.of(7));
  });

  it('decodes only the named tensors, without copying aligned float32 data', () => {
    const f = readSafetensors(file, { names: ['bias'] });
    expect([...f.tensors.keys()]).toEqual(['bias']);
    expect(f.entries).toHaveLength(5);
    // writeSafetensors aligns the data section to 8 bytes, so the float32 tensor is a view.
    const bytes = writeSafetensors({ a: { data: Float32Array.of(1, 2) } });
    expect(readSafetensors(bytes).tensors.get('a')!.data.buffer).toBe(bytes.buffer);
    expect(() => readSafetensors(file, { names: ['nope'] })).toThrow(DomainError);
    expect(() => readSafetensors(file, { names: ['nope'] })).toThrow("readSafetensors: argument 'opts.names' must be names of tensors in the file; got 'nope' (the file has 5 tensors:");
  });

  it('round-trips through writeSafetensors for F64, F32, F16 and BF16', () => {
    const m = fromRows([[0.1, -2.5, 3], [1e-3, 65504, -7]]);
    const bytes = writeSafetensors(
      {
        f64: { data: m },
        f32: { data: Float32Array.from(m.data), shape: [3, 2] },
        f16: { data: m.data, shape: [6], dtype: 'F16' },
        bf16: { data: m.data, shape: [2, 3], dtype: 'BF16' },
      },
      { note: 'test' },
    );
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0); // data section 8-aligned
    const f = readSafetensors(bytes);
    expect(f.tensors.get('f64')!.matrix).toEqual(m);
    expect(f.tensors.get('f32')!.shape).toEqual([3, 2]);
    expect(f.tensors.get('f32')!.data).toEqual(Float32Array.from(m.data));
    expect(Array.from(f.tensors.get('f16')!.data as Float32Array)).toEqual(Array.from(m.data, (x) => halfToFloat(floatToHalf(x))));
    expect(Array.from(f.tensors.get('bf16')!.data as Float32Array)).toEqual(Array.from(m.data, (x) => bfloat16ToFloat(floatToBfloat16(x))));
    expect(f.metadata).toEqual({ note: 'test' });
    expect(() => writeSafetensors({ x: { data: Float64Array.of(1, 2), shape: [3] } })).toThrow(ShapeError);
    expect(() => writeSafetensors({ x: { data: Float64Array.of(1, 2), shape: [3] } })).toThrow("writeSafetensors: argument 'tensors['x'].shape' must be 2 elements (the data's length); got [3] with 3");
    expect(() => writeSafetensors({ x: { data: [1] as unknown as Float64Array } })).toThrow(DomainError);
    expect(() => writeSafetensors({ x: { data: [1] as unknown as Float64Array } })).toThrow("writeSafetensors: argument 'tensors['x'].data' must be a Float32Array, Float64Array or Matrix; got an array of length 1");
    expect(() => writeSafetensors({ x: { data: Float64Array.of(1), dtype: 'I8' as 'F16' } })).toThrow("writeSafetensors: argument 'tensors['x'].dtype' must be one of 'F64', 'F32', 'F16', 'BF16'; got \"I8\"");
    expect(() => writeSafetensors({ __metadata__: { data: Float64Array.of(1) } })).toThrow("writeSafetensors: argument 'tensors' must be tensor names other than '__metadata__'; got '__metadata__'");
    expect(() => writeSafetensors({}, { v: 1 } as unknown as Record<string, string>)).toThrow("writeSafetensors: argument 'metadata' must be an object of strings; got an object (Object)");
  });

  it('writeSafetensors does not modify its inputs, and readSafetensors rejects bad arguments', () => {
    const x = Float64Array.of(1 / 3, -2, 70000);
    const copy = x.slice();
    writeSafetensors({ a: { data: x, dtype: 'F16' }, b: { data: x, dtype: 'BF16' } });
    expect(x).toEqual(copy);
    expect(() => readSafetensors([1, 2] as unknown as Uint8Array)).toThrow(DomainError);
    expect(() => readSafetensors([1, 2] as unknown as Uint8Array)).toThrow("readSafetensors: argument 'bytes' must be a Uint8Array (the file contents); got an array of length 2");
    expect(() => readSafetensors(file, { names: 'bias' as unknown as string[] })).toThrow("readSafetensors: argument 'opts.names' must be an array of tensor names; got \"bias\"");
  });
});

describe('readSafetensors rejects corrupt files with FormatErrors that say what and where', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data = le([1, 2], 'f32');
  const bad = (bytes: Uint8Array, message: string): void => {
    expect(() => readSafetensors(bytes)).toThrow(FormatError);
    expect(() => readSafetensors(bytes)).toThrow(message);
  };

  it('header length beyond the file, truncated files', () => {
    bad(Uint8Array.of(1, 2, 3), "readSafetensors: argument 'bytes' must be a valid safetensors file; got a file of only 3 bytes (truncated inside the 8-byte header length) at byte 3");
    const f = handBuilt(ok, data);
    bad(f.slice(0, 20), 'got a header length of 54 bytes but only 12 bytes after the length field (truncated or corrupt) at byte 0');
    bad(f.slice(0, f.length - 2), "got tensor 'a' with data_offsets [0, 8] beyond the data section of 6 bytes (truncated file or corrupt offsets) at byte 62");
    const huge = f.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    bad(huge, 'got a header length of 9223372036854775808 bytes');
  });

  it('corrupt JSON and bad entries', () => {
    bad(handBuilt('{"a": {"dtype": "F32",', data), 'got a header that is not valid JSON');
    bad(handBuilt('[1, 2]', data), "got a header that does not start with '{' at byte 8");
    bad(handBuilt({ a: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, data), "got tensor 'a' with unknown dtype \"F33\"");
    bad(handBuilt({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data), "got tensor 'a' with shape [-2] (expected an array of non-negative integers)");
    bad(handBuilt({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data), "got tensor 'a' with data_offsets [8,0] (expected [BEGIN, END] with 0 ≤ BEGIN ≤ END)");
    bad(handBuilt({ __metadata__: { v: 1 }, ...ok }, data), "got __metadata__ entry 'v' that is not a string");
  });

  it('offsets out of range, of the wrong size, overlapping, with holes or trailing bytes', () => {
    bad(handBuilt({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data), "got tensor 'a' with data_offsets [4, 12] beyond the data section of 8 bytes");
    bad(handBuilt({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data), "got tensor 'a' with data_offsets [0, 8] spanning 8 bytes, but F32 shape [3] needs 12");
    bad(
      handBuilt({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data),
      "got tensor 'b' with data_offsets [4, 8] overlapping tensor 'a' (which ends at 8)",
    );
    bad(handBuilt({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data), "got a hole of 4 unindexed bytes before tensor 'a'");
    bad(handBuilt({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data), "got 4 bytes after the last tensor's data (size mismatch) at byte");
  });

  it('names an undecodable dtype only when asked for it', () => {
    const f = handBuilt({ a: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, data);
    expect(readSafetensors(f).tensors.size).toBe(0);
    expect(() => readSafetensors(f, { names: ['a'] })).toThrow("got tensor 'a' of dtype F8_E4M3, which is not decoded");
  });
});

describe('readSafetensors: F16 and BF16 special values, hand-computed', () => {
  it('decodes subnormals, the extremes, signed zero, ±infinity and NaN', () => {
    // Hand-computed from the bit layouts (IEEE 754 binary16: 1 sign, 5 exponent bits with bias 15,
    // 10 fraction bits; bfloat16: the top 16 bits of a binary32, 8 exponent bits with bias 127).
    const f16Bits = [0x0001, 0x03ff, 0x0400, 0x3555, 0x7bff, 0x8000, 0x8001, 0x7c00, 0xfc00, 0x7e00];
    const f16Want = [2 ** -24, 1023 * 2 ** -24, 2 ** -14, 1365 / 4096, 65504, -0, -(2 ** -24), Infinity, -Infinity, NaN];
    const bfBits = [0x0001, 0x007f, 0x0080, 0x3eab, 0x4049, 0x7f7f, 0x8000, 0x7f80, 0xff80, 0x7fc0];
    const bfWant = [2 ** -133, 127 * 2 ** -133, 2 ** -126, 171 / 512, 3.140625, 255 * 2 ** 120, -0, Infinity, -Infinity, NaN];
    const file = handBuilt(
      {
        h: { dtype: 'F16', shape: [10], data_offsets: [0, 20] },
        b: { dtype: 'BF16', shape: [2, 5], data_offsets: [20, 40] },
      },
      concat(le(f16Bits, 'u16'), le(bfBits, 'u16')),
    );
    const f = readSafetensors(file);
    // toEqual distinguishes −0 from +0 and matches NaN with NaN.
    expect(Array.from(f.tensors.get('h')!.data as Float32Array)).toEqual(f16Want);
    expect(Array.from(f.tensors.get('b')!.data as Float32Array)).toEqual(bfWant);
    expect(Object.is((f.tensors.get('h')!.data as Float32Array)[5], -0)).toBe(true);
    expect(f.tensors.get('b')!.matrix!.rows).toBe(2);
  });
});
