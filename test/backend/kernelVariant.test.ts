import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chooseKernelVariant, RELAXED_SIMD_FLAG, wasmNamespace } from '../../src/backend/wasmApi.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../src/wasm/generated/kernels.js';
import { TSX_IMPORT } from './helpers.js';

const src = (p: string) => JSON.stringify(join(__dirname, '../../src', p));
const helpers = JSON.stringify(join(__dirname, 'helpers.ts'));

/**
 * A child process that runs both precisions, all four layouts, edge sizes, depths across the
 * kernels' 256-deep block, 1 and 2 threads, and the fused log-partition, on whichever module
 * variant the environment selects. It prints the variant, the worst error of each kernel relative
 * to its bound, and whether 1- and 2-thread results are bitwise equal.
 *
 * Bounds, per element, as multiples of |α|·Σ|a||b| + |β||c| (helpers.ts): (K + 2)·u with u = 2^-24
 * (float32) or 2^-53 (float64), as in wasmGemm.test.ts; a fused multiply-add rounds once where a
 * multiply and an add round twice, so the fused module obeys the same bound. The WASM and
 * TypeScript kernels each obey it, so they agree within twice it. For the log-partition,
 * |lse(z + δ) − lse(z)| ≤ max|δ|, so each row is within (d + 2)·u·max_w Σ|h||v| of the float64
 * value, plus the float64 sum's own n·2^-53.
 */
const CHILD = `
import { wasmGemm } from ${src('backend/wasmGemm.ts')};
import { wasmLogPartition } from ${src('backend/wasmLogPartition.ts')};
import { getBackendInfo } from ${src('backend/index.ts')};
import { gemmKernel } from ${src('kernels/gemmKernel.ts')};
import { wasmKernels } from ${src('backend/heap.ts')};
import { gemmBuffers, referenceGemm, maxScaledError, randomArray } from ${helpers};
const info = getBackendInfo();
let worstWasm = 0, worstTs = 0, worstAgree = 0, identical = true;
const shapes = [[37, 41, 300], [130, 70, 520], [9, 300, 17], [300, 12, 1030]];
for (const f32 of [true, false]) {
  const u = f32 ? 2 ** -24 : 2 ** -53;
  for (const [M, N, K] of shapes) for (const tA of [false, true]) for (const tB of [false, true]) {
    const g = { tA, tB, M, N, K, alpha: 0.75, beta: 0.5, aOff: 1, lda: (tA ? M : K) + 1, bOff: 2, ldb: (tB ? K : N) + 2, cOff: 3, ldc: N + 1 };
    const { a, b, c } = gemmBuffers(f32, g, 'v' + M + N + K + tA + tB + f32);
    const { ref, scale } = referenceGemm(g, a, b, c);
    const bound = (K + 2) * u;
    const c1 = c.slice(), c2 = c.slice(), ct = c.slice();
    wasmGemm('wasm', f32, 1, tA, tB, M, N, K, g.alpha, a, g.aOff, g.lda, b, g.bOff, g.ldb, g.beta, c1, g.cOff, g.ldc);
    wasmGemm('wasm', f32, 2, tA, tB, M, N, K, g.alpha, a, g.aOff, g.lda, b, g.bOff, g.ldb, g.beta, c2, g.cOff, g.ldc);
    gemmKernel(tA, tB, M, N, K, g.alpha, a, g.aOff, g.lda, b, g.bOff, g.ldb, g.beta, ct, g.cOff, g.ldc);
    worstWasm = Math.max(worstWasm, maxScaledError(g, c1, ref, scale) / bound);
    worstTs = Math.max(worstTs, maxScaledError(g, ct, ref, scale) / bound);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      const q = g.cOff + i * g.ldc + j;
      worstAgree = Math.max(worstAgree, Math.abs(c1[q] - ct[q]) / Math.max(scale[i * N + j], Number.MIN_VALUE) / (2 * bound));
      if (!Object.is(c1[q], c2[q])) identical = false;
    }
  }
}
let worstLse = 0;
for (const f32 of [true, false]) {
  const u = f32 ? 2 ** -24 : 2 ** -53;
  const m = 70, n = 900, d = 300;
  const V = randomArray(f32, n * d, 'V' + f32, 0.3), H = randomArray(f32, m * d, 'H' + f32, 0.3);
  const out = new Float64Array(m);
  if (!wasmLogPartition(2, V, n, d, H, m, null, out)) throw new Error('not finite');
  for (let i = 0; i < m; i++) {
    let mx = -Infinity, amax = 0;
    const z = new Float64Array(n);
    for (let w = 0; w < n; w++) {
      let s = 0, sa = 0;
      for (let k = 0; k < d; k++) { s += H[i * d + k] * V[w * d + k]; sa += Math.abs(H[i * d + k] * V[w * d + k]); }
      z[w] = s; mx = Math.max(mx, s); amax = Math.max(amax, sa);
    }
    let sum = 0;
    for (let w = 0; w < n; w++) sum += Math.exp(z[w] - mx);
    const lse = mx + Math.log(sum);
    const tol = (d + 2) * u * amax + n * 2 ** -53 * Math.max(1, Math.abs(lse));
    worstLse = Math.max(worstLse, Math.abs(out[i] - lse) / tol);
  }
}
console.log(JSON.stringify({ fma: info.fma, moduleFma: wasmKernels().exports.fusedMultiplyAdd() === 1, reason: info.fmaReason, worstWasm, worstTs, worstAgree, identical, worstLse }));
`;

function runChild(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [...TSX_IMPORT, '--input-type=module', '-e', CHILD], {
    env: { ...process.env, LMTRANSFER_BACKEND: '', LMTRANSFER_THREADS: '', LMTRANSFER_RELAXED_SIMD: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as { fma: boolean; moduleFma: boolean; reason: string; worstWasm: number; worstTs: number; worstAgree: number; identical: boolean; worstLse: number };
}

describe('module variants (relaxed-SIMD FMA and portable)', () => {
  it('both modules are embedded and valid WebAssembly', () => {
    for (const b64 of [KERNELS_WASM_BASE64, KERNELS_RELAXED_WASM_BASE64]) {
      expect(Array.from(Buffer.from(b64, 'base64').subarray(0, 8))).toEqual([0, 97, 115, 109, 1, 0, 0, 0]);
    }
    // The portable module needs no flag on any supported Node.
    expect(wasmNamespace()?.validate(new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64')))).toBe(true);
  });

  it('this Node runs the fused module by default (Node 20 through the V8 flag, Node ≥ 22 natively)', () => {
    setBackend('wasm');
    const info = getBackendInfo();
    expect(info.fma).toBe(true);
    expect(info.fmaReason).toMatch(/^relaxed SIMD (supported by this engine|enabled with the V8 flag --experimental-wasm-relaxed-simd)$/);
    setBackend('js');
    expect(getBackendInfo()).toMatchObject({ fma: false, fmaReason: 'the TypeScript kernels run' });
    setBackend('auto');
  });

  it.each([
    ['fused (default)', {}, true],
    ['portable (LMTRANSFER_RELAXED_SIMD=0)', { LMTRANSFER_RELAXED_SIMD: '0' }, false],
  ])('%s: within the error bounds, agrees with the TypeScript kernel, same bits on 1 and 2 threads', (_name, env, fma) => {
    const r = runChild(env);
    expect(r.fma).toBe(fma);
    // The module that actually ran was compiled with (or without) relaxed SIMD, as reported.
    expect(r.moduleFma).toBe(fma);
    if (!fma) expect(r.reason).toBe('relaxed SIMD disabled by LMTRANSFER_RELAXED_SIMD');
    expect(r.worstWasm).toBeLessThanOrEqual(1);
    expect(r.worstTs).toBeLessThanOrEqual(1);
    expect(r.worstAgree).toBeLessThanOrEqual(1);
    expect(r.identical).toBe(true);
    expect(r.worstLse).toBeLessThanOrEqual(1);
  });
});

describe('chooseKernelVariant (the selection logic, with stand-ins for the engine)', () => {
  it('uses the relaxed module when the engine validates it, without touching the flags', () => {
    const flag = jest.fn();
    expect(chooseKernelVariant(false, () => true, flag)).toEqual({ fma: true, reason: 'relaxed SIMD supported by this engine' });
    expect(flag).not.toHaveBeenCalled();
  });

  it('turns the V8 flag on when that makes the module valid (Node 20)', () => {
    let on = false;
    const v = chooseKernelVariant(false, () => on, () => {
      on = true;
    });
    expect(v).toEqual({ fma: true, reason: `relaxed SIMD enabled with the V8 flag ${RELAXED_SIMD_FLAG}` });
  });

  it('falls back to the portable module when relaxed SIMD stays unavailable or the flag cannot be set', () => {
    expect(chooseKernelVariant(false, () => false, () => {})).toEqual({ fma: false, reason: 'relaxed SIMD is not supported by this engine' });
    const v = chooseKernelVariant(false, () => false, () => {
      throw new Error('unknown flag');
    });
    expect(v.fma).toBe(false);
    expect(v.reason).toContain('unknown flag');
  });

  it('LMTRANSFER_RELAXED_SIMD=0 keeps the portable module and never sets the flag', () => {
    const validate = jest.fn(() => true);
    const flag = jest.fn();
    expect(chooseKernelVariant(true, validate, flag)).toEqual({ fma: false, reason: 'relaxed SIMD disabled by LMTRANSFER_RELAXED_SIMD' });
    expect(validate).not.toHaveBeenCalled();
    expect(flag).not.toHaveBeenCalled();
  });
});
