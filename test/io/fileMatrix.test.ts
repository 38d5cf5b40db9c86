/** The positional-read file readers: every layout a `.npy` or safetensors file may have. */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError, FormatError } from '../../src/core/errors.js';
import { openNpyFile, openSafetensorsTensor } from '../../src/io/files.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../src/io/halfFloat.js';
import { readNpy, writeNpy, writeSafetensors } from '../../src/io/index.js';

function npy(descr: string, shape: number[], fortran: boolean, body: Buffer): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const h = Buffer.alloc(total, 0x20);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(h, 0);
  h.writeUInt16LE(total - 10, 8);
  h.write(dict, 10, 'latin1');
  h[total - 1] = 0x0a;
  return Buffer.concat([h, body]);
}

describe('FileMatrix readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-filematrix-'));
  const f = (x: string): string => join(dir, x);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads any row range of every .npy layout as readNpy does (float16 widened exactly, big-endian, Fortran order)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('<f2', '<f4', '>f4', '<f8', '>f8'),
        fc.boolean(),
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 45, maxLength: 45 }),
        fc.nat(),
        (r, c, descr, fortran, vals, cut) => {
          const size = Number(descr[2]);
          const body = Buffer.alloc(r * c * size);
          for (let k = 0; k < r * c; k++) {
            const x = vals[k];
            if (size === 2) body.writeUInt16LE(floatToHalf(x), 2 * k);
            else if (size === 4 && descr[0] === '<') body.writeFloatLE(x, 4 * k);
            else if (size === 4) body.writeFloatBE(x, 4 * k);
            else if (descr[0] === '<') body.writeDoubleLE(x, 8 * k);
            else body.writeDoubleBE(x, 8 * k);
          }
          const bytes = npy(descr, [r, c], fortran, body);
          writeFileSync(f('a.npy'), bytes);
          const ref = readNpy(bytes).data as Float32Array | Float64Array;
          const file = openNpyFile(f('a.npy'));
          const start = cut % (r + 1);
          const end = start + ((cut >> 4) % (r - start + 1));
          const got = file.readRows(start, end).data;
          return got.length === (end - start) * c && Array.from(got).every((x, i) => Object.is(x, ref[start * c + i])) && file.storedDType === readNpy(bytes).dtype;
        },
      ),
      { seed: 1414, numRuns: 80 },
    );
  });

  it('reads F16, BF16, F32 and F64 tensors of a safetensors file; reuseBuffer reuses one buffer', () => {
    const vals = Float32Array.from({ length: 12 }, (_, i) => (i - 5.5) * 0.37);
    writeFileSync(f('m.safetensors'), writeSafetensors({ a: { data: { rows: 3, cols: 4, data: vals }, dtype: 'F16' }, b: { data: { rows: 4, cols: 3, data: vals }, dtype: 'BF16' }, c: { data: { rows: 2, cols: 6, data: Float64Array.from(vals) } } }));
    const a = openSafetensorsTensor(f('m.safetensors'), 'a');
    expect([a.rows, a.cols, a.storedDType]).toEqual([3, 4, 'float16']);
    expect(Array.from(a.readAll().data)).toEqual(Array.from(vals, (x) => halfToFloat(floatToHalf(x))));
    const b = openSafetensorsTensor(f('m.safetensors'), 'b');
    expect(Array.from(b.readRows(1, 3).data)).toEqual(Array.from(vals.subarray(3, 9), (x) => bfloat16ToFloat(floatToBfloat16(x))));
    const c = openSafetensorsTensor(f('m.safetensors'), 'c');
    expect(c.readAll().data).toBeInstanceOf(Float64Array);
    c.reuseBuffer = true;
    const r1 = c.readRows(0, 1).data;
    const r2 = c.readRows(1, 2).data;
    expect(r1.buffer).toBe(r2.buffer);
    expect(Array.from(r2)).toEqual(Array.from(vals.subarray(6, 12), (x) => Math.fround(x)));
    expect(() => c.readRows(1, 3)).toThrow(FormatError);
  });

  it('refuses bad files and names, saying why', () => {
    writeFileSync(f('int.npy'), writeNpy(new Int32Array(4), [2, 2]));
    expect(() => openNpyFile(f('int.npy'))).toThrow("openNpyFile: argument 'path' must be a .npy file of a 1-D or 2-D float array (float16, float32 or float64); got int32 with shape (2, 2)");
    const good = writeNpy(new Float32Array(6), [2, 3]);
    writeFileSync(f('trunc.npy'), good.subarray(0, good.length - 4));
    expect(() => openNpyFile(f('trunc.npy'))).toThrow(/truncated data/);
    writeFileSync(f('two.safetensors'), writeSafetensors({ x: { data: { rows: 2, cols: 2, data: new Float32Array(4) } }, y: { data: { rows: 2, cols: 2, data: new Float32Array(4) } } }));
    expect(() => openSafetensorsTensor(f('two.safetensors'))).toThrow(DomainError);
    expect(() => openSafetensorsTensor(f('two.safetensors'), 'z')).toThrow("has no tensor 'z'");
    mkdirSync(f('empty'));
    expect(() => openSafetensorsTensor(f('empty'))).toThrow(/got the directory '.*empty' with neither/);
    writeFileSync(f('bad.index.json'), JSON.stringify({ weight_map: { x: '../escape.safetensors' } }));
    expect(() => openSafetensorsTensor(f('bad.index.json'), 'x')).toThrow(/must be a safetensors index with a 'weight_map' of tensor names to shard file names/);
    writeFileSync(f('lying.index.json'), JSON.stringify({ weight_map: { x: 'two.safetensors', q: 'two.safetensors' } }));
    expect(() => openSafetensorsTensor(f('lying.index.json'), 'q')).toThrow(/must point to the shard holding 'q'; got 'two\.safetensors', which has no such tensor/);
  });
});
