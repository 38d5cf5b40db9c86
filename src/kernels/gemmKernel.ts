/**
 * The TypeScript GEMM kernel behind `gemm`: `C ← α·op(A)·op(B) + β·C` over flat row-major buffers.
 *
 * It follows the GotoBLAS / BLIS loop structure (Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication", ACM TOMS 34(3), 2008):
 *
 *     for jc in steps of NC over N          (a KC×NC panel of op(B) is packed once, reused by all of M)
 *       for pc in steps of KC over K
 *         pack op(B)[pc:pc+kc, jc:jc+nc] into micro-panels of NR columns
 *         for ic in steps of MC over M
 *           pack op(A)[ic:ic+mc, pc:pc+kc] into micro-panels of MR rows (stays in L2)
 *           for each NR-wide micro-panel of B, for each MR-tall micro-panel of A: 4×4 micro-kernel
 *
 * Packing is what lets one micro-kernel serve all four (transA, transB) layouts: the transposes are
 * absorbed by the packing loops, and the micro-kernel always streams two contiguous Float64Array
 * panels. Packing also converts Float32Array inputs to float64, so products accumulate in double and
 * are rounded to float32 only on the store into a Float32Array `C`.
 *
 * Why these choices (measured on a 2-vCPU Zen 4 box; bench/README.md has the current numbers):
 * V8 emits scalar SSE code only, so the in-L1 ceiling of a JS micro-kernel is about 5 GFLOP/s; a 4×4
 * register tile with 16 local accumulators is within a few percent of the best MR×NR shape tried,
 * and packing on top of it took the 1024×256·(10000×256)ᵀ product from 4.0 to 4.6 GFLOP/s. The block
 * sizes MC=128, KC=256, NC=2048 are the ones used there: the packed A block (128·256·8 B = 256 KiB)
 * sits in L2 (1 MiB per core on that Zen 4; 512 KiB per core on the Zen 3 this was later measured
 * on, per `lscpu`), the packed B panel (256·2048·8 B = 4 MiB) in L3, and one B micro-panel
 * (256·4·8 B = 8 KiB) in the 32 KiB L1.
 *
 * On the project's Zen 3 (2 vCPUs, ≈ 2.9 GHz, shared and noisy host; best of 15 by CPU time, V8
 * 11.3) the in-L1 micro-kernel reaches 4.3–4.5 GFLOP/s (the same ≈ 1.5 FLOP/cycle as the notes'
 * Zen 4 figure), and 4.5 with the A block streamed from L2, so the blocks are not the limit. What
 * limits it is V8's code for the loop, seen with `node --print-opt-code`: every typed-array load is
 * a sign extension, a bounds compare and branch and an address `lea` besides the load; the array's
 * map is re-checked and its length and data pointer reloaded on every iteration; and the scheduler
 * issues all 16 multiplies before the 16 adds, so about 13 accumulators are spilled to the stack
 * and reloaded each step. Two changes measurably help and are used here: both packed panels in one
 * array (one map check and one set of reloads per step instead of two: 3.9 → 4.3 GFLOP/s in L1) and
 * int32 index arithmetic (`| 0`, see the micro-kernels). Tried and not better in L1: tiles 2×4,
 * 3×3, 3×4, 4×2, 4×3, 2×6, 4×6, 6×4, 5×5, 3×8, 4×8, 8×4 (3.5–4.4, none clearly above 4×4), the
 * depth loop unrolled twice (3.3–3.9: more spills) and a loop bounded by the panel end instead of
 * a counter (same). In the full product the micro-kernel takes 89 % of the time (`--cpu-prof`);
 * packing is under 2 %. Measure with `BACKENDS=js npx tsx bench/matmul.bench.ts`.
 *
 * Small problems (fewer than SMALL_FLOPS multiply-adds) skip packing: for them the packing traffic
 * and the zero-padding of partial tiles cost more than they save, and every operand is in cache.
 *
 * Semantics follow the reference BLAS: `β = 0` overwrites `C` (old contents, even NaN, are ignored);
 * `α = 0` or `K = 0` only scales `C` by `β` and reads neither `A` nor `B`.
 *
 * Unchecked: the caller guarantees the offsets, leading dimensions and sizes fit the buffers, and
 * that `C` does not alias `A` or `B`.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';

/** Rows of the register tile (rows of op(A) per micro-panel). */
export const MR = 4;
/** Columns of the register tile (columns of op(B) per micro-panel). */
export const NR = 4;
/** Rows of op(A) per packed block (a multiple of MR). */
export const MC = 128;
/** Depth of a packed block (shared dimension K). */
export const KC = 256;
/** Columns of op(B) per packed panel (a multiple of NR). */
export const NC = 2048;
/** Below this many multiply-adds (M·N·K) the unpacked direct loop is used. */
export const SMALL_FLOPS = 32 * 32 * 32;

// Packing scratch, grown on demand and reused across calls so that a training loop does not
// allocate 4 MiB per product. `gemm` is synchronous and never re-entered, so one buffer suffices per
// thread (each worker thread has its own module instance). The packed A block and the packed B
// panel share this one array (A first, then B): V8 re-checks a typed array's map and reloads its
// length and data pointer on every iteration of the micro-kernel's loop, so reading both panels
// from one array halves that overhead. In-L1 4×4 micro-kernel on the Zen 3, best of 15 by CPU
// time: 3.9 GFLOP/s with two arrays, 4.3 with one.
let pack = new Float64Array(0);
// The 4×4 tile of a partial (edge) micro-panel, written by the micro-kernel and copied out.
const edgeTile = new Float64Array(MR * NR);

/**
 * `C ← α·op(A)·op(B) + β·C` (row-major, BLAS argument meanings). See the module comment.
 *
 * @example
 * ```ts
 * const a = new Float64Array([1, 2, 3, 4]); // 2×2
 * const c = new Float64Array(4);
 * gemmKernel(false, false, 2, 2, 2, 1, a, 0, 2, a, 0, 2, 0, c, 0, 2); // c = a·a = [7, 10, 15, 22]
 * ```
 */
export function gemmKernel(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha === 0) {
    scaleC(M, N, beta, c, cOffset, ldc);
    return;
  }
  if (M * N * K <= SMALL_FLOPS) {
    directGemm(transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    return;
  }
  // Strides of op(A)(i, p) and op(B)(p, j) in the flat buffers, so that packing is layout-free.
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;

  const kcMax = Math.min(K, KC);
  const mcMax = Math.min(roundUp(M, MR), MC);
  const ncMax = Math.min(roundUp(N, NR), NC);
  // The A block occupies [0, bBase) of the scratch, the B panel [bBase, bBase + ncMax·kcMax).
  const bBase = mcMax * kcMax;
  if (pack.length < bBase + ncMax * kcMax) pack = new Float64Array(bBase + ncMax * kcMax);
  const w = pack;

  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      // The first K block applies the caller's β; later blocks accumulate onto it.
      const betaBlock = pc === 0 ? beta : 1;
      packPanelB(b, bOffset + pc * bRow + jc * bCol, bRow, bCol, kc, nc, w, bBase);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packBlockA(a, aOffset + ic * aRow + pc * aCol, aRow, aCol, mc, kc, w);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const pbOff = bBase + jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const cOff = cOffset + (ic + ir) * ldc + jc + jr;
            if (mr === MR && nr === NR) {
              if (c instanceof Float64Array) microKernel4x4F64(kc, w, ir * kc, pbOff, alpha, betaBlock, c, cOff, ldc);
              else microKernel4x4F32(kc, w, ir * kc, pbOff, alpha, betaBlock, c, cOff, ldc);
            } else {
              microKernel4x4Tile(kc, w, ir * kc, pbOff, edgeTile);
              storeEdge(mr, nr, edgeTile, alpha, betaBlock, c, cOff, ldc);
            }
          }
        }
      }
    }
  }
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** `C ← β·C`, with `β = 0` writing exact zeros (so NaN in the old `C` does not survive). */
function scaleC(M: number, N: number, beta: number, c: FloatArray, cOffset: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOffset + i * ldc;
    if (beta === 0) c.fill(0, row, row + N);
    else for (let j = 0; j < N; j++) c[row + j] *= beta;
  }
}

/**
 * Unpacked dot-product loop for small products. Accumulates in float64; the layout is handled by
 * strides, which is cheap here because every operand fits in L1.
 */
function directGemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
): void {
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;
  for (let i = 0; i < M; i++) {
    const ai = aOffset + i * aRow;
    const ci = cOffset + i * ldc;
    for (let j = 0; j < N; j++) {
      let s = 0;
      let ia = ai;
      let ib = bOffset + j * bCol;
      for (let p = 0; p < K; p++) {
        s += a[ia] * b[ib];
        ia += aCol;
        ib += bRow;
      }
      c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j];
    }
  }
}

/**
 * Pack the `mc × kc` block of op(A) starting at `off` (element (i, p) at `off + i·rs + p·cs`) into
 * `ceil(mc/MR)` micro-panels: panel `q` holds rows `q·MR … q·MR+MR−1`, stored p-major
 * (`dst[q·MR·kc + p·MR + r]`). Rows past `mc` are zero so that the micro-kernel can run a full tile.
 */
function packBlockA(src: FloatArray, off: number, rs: number, cs: number, mc: number, kc: number, dst: Float64Array): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const base = i0 * kc;
    const rows = Math.min(MR, mc - i0);
    if (rows === MR) {
      const s0 = off + i0 * rs;
      const s1 = s0 + rs;
      const s2 = s1 + rs;
      const s3 = s2 + rs;
      let d = base;
      let q = 0;
      for (let p = 0; p < kc; p++) {
        dst[d] = src[s0 + q];
        dst[d + 1] = src[s1 + q];
        dst[d + 2] = src[s2 + q];
        dst[d + 3] = src[s3 + q];
        d += MR;
        q += cs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = base + p * MR;
        for (let r = 0; r < MR; r++) dst[d + r] = r < rows ? src[off + (i0 + r) * rs + p * cs] : 0;
      }
    }
  }
}

/**
 * Pack the `kc × nc` panel of op(B) starting at `off` (element (p, j) at `off + p·rs + j·cs`) into
 * `ceil(nc/NR)` micro-panels from `dstOff` on: panel `q` holds columns `q·NR … q·NR+NR−1`, stored
 * p-major (`dst[dstOff + q·NR·kc + p·NR + c]`). Columns past `nc` are zero.
 */
function packPanelB(src: FloatArray, off: number, rs: number, cs: number, kc: number, nc: number, dst: Float64Array, dstOff: number): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const base = dstOff + j0 * kc;
    const cols = Math.min(NR, nc - j0);
    if (cols === NR) {
      const s0 = off + j0 * cs;
      const s1 = s0 + cs;
      const s2 = s1 + cs;
      const s3 = s2 + cs;
      let d = base;
      let q = 0;
      for (let p = 0; p < kc; p++) {
        dst[d] = src[s0 + q];
        dst[d + 1] = src[s1 + q];
        dst[d + 2] = src[s2 + q];
        dst[d + 3] = src[s3 + q];
        d += NR;
        q += rs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = base + p * NR;
        for (let cc = 0; cc < NR; cc++) dst[d + cc] = cc < cols ? src[off + p * rs + (j0 + cc) * cs] : 0;
      }
    }
  }
}

// The three micro-kernels below share one hand-unrolled body: 16 local accumulators, 4 loads from
// each packed panel per step, both panels in the one scratch array `w` (A panel at `ia0`, B panel
// at `ib0`). Index sums are written `(i + k) | 0`: that tells V8 they are int32 additions, so it
// emits a plain `lea` instead of an add with an overflow check and a sign extension per load
// (seen in `node --print-opt-code`); the values never come near 2^31 (the scratch is a few MiB). They are separate functions (rather than one taking a FloatArray `C`)
// so that every typed-array access inside each is monomorphic, which V8 needs to keep the loop in
// registers. The body is duplicated on purpose; a shared helper returning 16 values would allocate.
// Each B value is loaded just before its four updates (rather than all eight loads first), which
// keeps fewer values live at once; it measured a few percent faster here (in-L1 test, V8 11.3).

/** Full 4×4 tile into a Float64Array `C`: `C[tile] ← α·acc + β·C[tile]`. */
function microKernel4x4F64(
  kc: number,
  w: Float64Array,
  ia0: number,
  ib0: number,
  alpha: number,
  beta: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = ia0 | 0;
  let ib = ib0 | 0;
  for (let p = 0; p < kc; p++) {
    const a0 = w[ia], a1 = w[(ia + 1) | 0], a2 = w[(ia + 2) | 0], a3 = w[(ia + 3) | 0];
    const b0 = w[ib];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = w[(ib + 1) | 0];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = w[(ib + 2) | 0];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = w[(ib + 3) | 0];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    ia = (ia + 4) | 0;
    ib = (ib + 4) | 0;
  }
  const r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta === 0) {
    c[r0] = alpha * c00; c[r0 + 1] = alpha * c01; c[r0 + 2] = alpha * c02; c[r0 + 3] = alpha * c03;
    c[r1] = alpha * c10; c[r1 + 1] = alpha * c11; c[r1 + 2] = alpha * c12; c[r1 + 3] = alpha * c13;
    c[r2] = alpha * c20; c[r2 + 1] = alpha * c21; c[r2 + 2] = alpha * c22; c[r2 + 3] = alpha * c23;
    c[r3] = alpha * c30; c[r3 + 1] = alpha * c31; c[r3 + 2] = alpha * c32; c[r3 + 3] = alpha * c33;
  } else {
    c[r0] = alpha * c00 + beta * c[r0]; c[r0 + 1] = alpha * c01 + beta * c[r0 + 1];
    c[r0 + 2] = alpha * c02 + beta * c[r0 + 2]; c[r0 + 3] = alpha * c03 + beta * c[r0 + 3];
    c[r1] = alpha * c10 + beta * c[r1]; c[r1 + 1] = alpha * c11 + beta * c[r1 + 1];
    c[r1 + 2] = alpha * c12 + beta * c[r1 + 2]; c[r1 + 3] = alpha * c13 + beta * c[r1 + 3];
    c[r2] = alpha * c20 + beta * c[r2]; c[r2 + 1] = alpha * c21 + beta * c[r2 + 1];
    c[r2 + 2] = alpha * c22 + beta * c[r2 + 2]; c[r2 + 3] = alpha * c23 + beta * c[r2 + 3];
    c[r3] = alpha * c30 + beta * c[r3]; c[r3 + 1] = alpha * c31 + beta * c[r3 + 1];
    c[r3 + 2] = alpha * c32 + beta * c[r3 + 2]; c[r3 + 3] = alpha * c33 + beta * c[r3 + 3];
  }
}

/** Full 4×4 tile into a Float32Array `C` (the store rounds to float32). */
function microKernel4x4F32(
  kc: number,
  w: Float64Array,
  ia0: number,
  ib0: number,
  alpha: number,
  beta: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = ia0 | 0;
  let ib = ib0 | 0;
  for (let p = 0; p < kc; p++) {
    const a0 = w[ia], a1 = w[(ia + 1) | 0], a2 = w[(ia + 2) | 0], a3 = w[(ia + 3) | 0];
    const b0 = w[ib];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = w[(ib + 1) | 0];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = w[(ib + 2) | 0];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = w[(ib + 3) | 0];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    ia = (ia + 4) | 0;
    ib = (ib + 4) | 0;
  }
  const r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta === 0) {
    c[r0] = alpha * c00; c[r0 + 1] = alpha * c01; c[r0 + 2] = alpha * c02; c[r0 + 3] = alpha * c03;
    c[r1] = alpha * c10; c[r1 + 1] = alpha * c11; c[r1 + 2] = alpha * c12; c[r1 + 3] = alpha * c13;
    c[r2] = alpha * c20; c[r2 + 1] = alpha * c21; c[r2 + 2] = alpha * c22; c[r2 + 3] = alpha * c23;
    c[r3] = alpha * c30; c[r3 + 1] = alpha * c31; c[r3 + 2] = alpha * c32; c[r3 + 3] = alpha * c33;
  } else {
    c[r0] = alpha * c00 + beta * c[r0]; c[r0 + 1] = alpha * c01 + beta * c[r0 + 1];
    c[r0 + 2] = alpha * c02 + beta * c[r0 + 2]; c[r0 + 3] = alpha * c03 + beta * c[r0 + 3];
    c[r1] = alpha * c10 + beta * c[r1]; c[r1 + 1] = alpha * c11 + beta * c[r1 + 1];
    c[r1 + 2] = alpha * c12 + beta * c[r1 + 2]; c[r1 + 3] = alpha * c13 + beta * c[r1 + 3];
    c[r2] = alpha * c20 + beta * c[r2]; c[r2 + 1] = alpha * c21 + beta * c[r2 + 1];
    c[r2 + 2] = alpha * c22 + beta * c[r2 + 2]; c[r2 + 3] = alpha * c23 + beta * c[r2 + 3];
    c[r3] = alpha * c30 + beta * c[r3]; c[r3 + 1] = alpha * c31 + beta * c[r3 + 1];
    c[r3 + 2] = alpha * c32 + beta * c[r3 + 2]; c[r3 + 3] = alpha * c33 + beta * c[r3 + 3];
  }
}

/** Full 4×4 tile of raw sums into `tile` (row-major), for partial tiles at the right/bottom edges. */
function microKernel4x4Tile(kc: number, w: Float64Array, ia0: number, ib0: number, tile: Float64Array): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = ia0 | 0;
  let ib = ib0 | 0;
  for (let p = 0; p < kc; p++) {
    const a0 = w[ia], a1 = w[(ia + 1) | 0], a2 = w[(ia + 2) | 0], a3 = w[(ia + 3) | 0];
    const b0 = w[ib];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = w[(ib + 1) | 0];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = w[(ib + 2) | 0];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = w[(ib + 3) | 0];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    ia = (ia + 4) | 0;
    ib = (ib + 4) | 0;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
}

/** Store the valid `mr × nr` corner of an edge tile. */
function storeEdge(mr: number, nr: number, tile: Float64Array, alpha: number, beta: number, c: FloatArray, cOff: number, ldc: number): void {
  for (let r = 0; r < mr; r++) {
    const row = cOff + r * ldc;
    for (let j = 0; j < nr; j++) {
      const v = alpha * tile[r * NR + j];
      c[row + j] = beta === 0 ? v : v + beta * c[row + j];
    }
  }
}
