// lmtransfer WebAssembly SIMD kernels (AssemblyScript, compiled by scripts/build-wasm.mjs).
//
// The module owns no memory of its own: it imports one shared `WebAssembly.Memory` from the host,
// and every pointer argument is a byte address in that memory that the host (src/backend/) laid
// out. The same compiled module is instantiated on the main thread and in every worker thread over
// that one memory, so the host can split a product across threads without copying.
//
// Blocking follows GotoBLAS / BLIS (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", ACM TOMS 34(3), 2008): loops jc (NC columns) → pc (KC depth, pack B) → ic (MC
// rows, pack A) → jr → ir → a register-tiled micro-kernel.
//
// Two modules are built from this one source (scripts/build-wasm.mjs): a portable one (SIMD +
// threads) and one that also enables relaxed SIMD, where `ASC_FEATURE_RELAXED_SIMD` is true and the
// micro-kernels use the fused multiply-add `relaxed_madd` (one instruction instead of a multiply and
// an add; Node 20 has it only behind a V8 flag, see src/backend/wasmApi.ts). The constant is known
// at compile time, so each module contains only its own variant.
//
// Micro-tile: 4 rows × 2 vectors in both modules. V8 (11.3, x64) allocates 15 vector registers and
// schedules every load of a micro-kernel step (both B vectors and all the broadcast A values)
// before its multiply-adds, so a tile needs accumulators + 2 + MR registers: 4×2 vectors fits (14,
// plus the product temporary without FMA), while 6×2 (20 registers) spilled accumulators to the
// stack and ran 2× slower even with FMA; 5×2 with lane shuffles fitted but was no faster.
//
// Precision: the f32 kernels multiply and accumulate in f32 (as BLAS sgemm does); the f64 kernels
// in f64. With the fused variant each multiply-add rounds once instead of twice, which is at least
// as accurate. Within one module the arithmetic for a result element does not depend on where its
// micro-tile starts, so results are the same however a product is split across threads. The row
// passes (softmax, cross-entropy, log-sum-exp) accumulate their sums in f64 and are the same in
// both modules.

// ---------------------------------------------------------------------------------------------
// Block sizes. f32: 4×8 micro-tile (8 f32x4 accumulators), A block MC×KC = 128 KiB (L2), B
// micro-panel KC×NR = 8 KiB (L1). f64: 4×4 micro-tile (8 f64x2 accumulators), same byte sizes.

const SMR: i32 = 4;
const SNR: i32 = 8;
const SKC: i32 = 256;
const SMC: i32 = 128;
const SNC: i32 = 2048;

const DMR: i32 = 4;
const DNR: i32 = 4;
const DKC: i32 = 256;
const DMC: i32 = 64;
const DNC: i32 = 1024;

// Columns per logits tile in the fused log-sum-exp (the tile, MC×NCL, stays in L2).
const LNC: i32 = 256;

/** Whether this module was compiled with relaxed SIMD (fused multiply-add micro-kernels): 1 or 0. */
export function fusedMultiplyAdd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

// c + a·b, fused (one rounding) in the relaxed-SIMD module, else a multiply and an add.
@inline function sfma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function dfma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** Where the host may start placing its own data (above this module's static data, if any). */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of per-thread workspace `sgemm`/`dgemm` need (packed A block, packed B panel, edge tile). */
export function gemmWorkspaceBytes(): usize {
  const s = <usize>(SMC * SKC + SKC * SNC + SMR * SNR) << 2;
  const d = <usize>(DMC * DKC + DKC * DNC + DMR * DNR) << 3;
  return s > d ? s : d;
}

@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

// ---------------------------------------------------------------------------------------------
// f32 packing. op(A) is M×K; element (i, p) is A[i*lda + p], or A[p*lda + i] when transposed.
// Packed A: panels of SMR rows; within a panel, for each p the SMR values of column p.

function spackA(tA: i32, mc: i32, kc: i32, pA: usize, lda: i32, ic: i32, pc: i32, dst: usize): void {
  const pstep = <usize>SMR << 2; // bytes per column of a packed panel
  for (let ir = 0; ir < mc; ir += SMR) {
    const mr = imin(SMR, mc - ir);
    const panel = dst + (<usize>(ir * kc) << 2);
    if (tA) {
      // Column p of op(A) is a contiguous row of the stored matrix.
      let src = pA + (<usize>(pc * lda + ic + ir) << 2);
      const step = <usize>lda << 2;
      if (mr == SMR) {
        let d = panel;
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          src += step;
          d += pstep;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + <usize>p * pstep;
          for (let r = 0; r < SMR; r++) store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(src + (<usize>r << 2)) : 0);
          src += step;
        }
      }
    } else if (mr == SMR) {
      // Rows of op(A) are contiguous: read four columns of each row as one vector and transpose
      // 4×4 blocks in registers, instead of one scalar load and strided store per element.
      const s0 = pA + (<usize>((ic + ir) * lda + pc) << 2);
      const rs = <usize>lda << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const d = panel + <usize>p * pstep;
        const x0 = v128.load(s0 + o);
        const x1 = v128.load(s0 + rs + o);
        const x2 = v128.load(s0 + 2 * rs + o);
        const x3 = v128.load(s0 + 3 * rs + o);
        const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
        const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d + pstep, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
        v128.store(d + 2 * pstep, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
        v128.store(d + 3 * pstep, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (; p < kc; p++) {
        const d = panel + <usize>p * pstep;
        for (let r = 0; r < SMR; r++) store<f32>(d + (<usize>r << 2), load<f32>(s0 + <usize>r * rs + (<usize>p << 2)));
      }
    } else {
      for (let r = 0; r < SMR; r++) {
        const d = panel + (<usize>r << 2);
        if (r < mr) {
          const src = pA + (<usize>((ic + ir + r) * lda + pc) << 2);
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>p * pstep, load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>p * pstep, 0);
        }
      }
    }
  }
}

// op(B) is K×N; element (p, j) is B[p*ldb + j], or B[j*ldb + p] when transposed.
// Packed B: panels of SNR columns; within a panel, for each p the SNR values of row p.
function spackB(tB: i32, kc: i32, nc: i32, pB: usize, ldb: i32, pc: i32, jc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += SNR) {
    const nr = imin(SNR, nc - jr);
    const panel = dst + (<usize>(jr * kc) << 2);
    if (!tB) {
      let src = pB + (<usize>(pc * ldb + jc + jr) << 2);
      const step = <usize>ldb << 2;
      if (nr == SNR) {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          for (let c = 0; c < SNR; c++) store<f32>(d + (<usize>c << 2), c < nr ? load<f32>(src + (<usize>c << 2)) : 0);
          src += step;
        }
      }
    } else {
      for (let c = 0; c < SNR; c++) {
        const d = panel + (<usize>c << 2);
        if (c < nr) {
          const src = pB + (<usize>((jc + jr + c) * ldb + pc) << 2);
          for (let p = 0; p < kc; p++) store<f32>(d + (<usize>p << 5), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + (<usize>p << 5), 0);
        }
      }
    }
  }
}

// One row of an f32 micro-tile: C[row, 0..8) ← α·(x0, x1) + β·C (β = 0: overwrite). The epilogue
// is a separate multiply and add in both modules, so that full tiles and edge tiles (computed into
// scratch, then merged as t + β·C) round identically.
@inline function sout(c: usize, x0: v128, x1: v128, av: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, f32x4.mul(x0, av));
    v128.store(c, f32x4.mul(x1, av), 16);
  } else {
    const bv = f32x4.splat(beta);
    v128.store(c, f32x4.add(f32x4.mul(x0, av), f32x4.mul(v128.load(c), bv)));
    v128.store(c, f32x4.add(f32x4.mul(x1, av), f32x4.mul(v128.load(c, 16), bv)), 16);
  }
}

// The f32 micro-kernel: C[4×8] ← α·(Ap · Bp) + β·C, with β = 0 meaning "overwrite".
// ldc is in bytes.
@inline function skern(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = sfma(a, b0, c00);
    c01 = sfma(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = sfma(a, b0, c10);
    c11 = sfma(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = sfma(a, b0, c20);
    c21 = sfma(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = sfma(a, b0, c30);
    c31 = sfma(a, b1, c31);
    pa += <usize>SMR << 2;
    pb += 32;
  }
  const av = f32x4.splat(alpha);
  sout(c, c00, c01, av, beta);
  sout(c + ldc, c10, c11, av, beta);
  sout(c + 2 * ldc, c20, c21, av, beta);
  sout(c + 3 * ldc, c30, c31, av, beta);
}

/**
 * C ← α·op(A)·op(B) + β·C in f32 (row-major, BLAS semantics; β = 0 ignores C's old contents).
 * `work` must hold `gemmWorkspaceBytes()` bytes private to the calling thread.
 */
export function sgemm(
  tA: i32, tB: i32, M: i32, N: i32, K: i32, alpha: f32,
  pA: usize, lda: i32, pB: usize, ldb: i32, beta: f32, pC: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (let i = 0; i < M; i++) {
      const row = pC + (<usize>(i * ldc) << 2);
      for (let j = 0; j < N; j++) {
        const q = row + (<usize>j << 2);
        store<f32>(q, beta == 0 ? 0 : beta * load<f32>(q));
      }
    }
    return;
  }
  const pa0 = work;
  const pb0 = work + (<usize>(SMC * SKC) << 2);
  const tile = pb0 + (<usize>(SKC * SNC) << 2);
  const ldcB = <usize>ldc << 2;
  for (let jc = 0; jc < N; jc += SNC) {
    const nc = imin(SNC, N - jc);
    for (let pc = 0; pc < K; pc += SKC) {
      const kc = imin(SKC, K - pc);
      const b: f32 = pc == 0 ? beta : 1;
      spackB(tB, kc, nc, pB, ldb, pc, jc, pb0);
      for (let ic = 0; ic < M; ic += SMC) {
        const mc = imin(SMC, M - ic);
        spackA(tA, mc, kc, pA, lda, ic, pc, pa0);
        for (let jr = 0; jr < nc; jr += SNR) {
          const nr = imin(SNR, nc - jr);
          const bp = pb0 + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += SMR) {
            const mr = imin(SMR, mc - ir);
            const ap = pa0 + (<usize>(ir * kc) << 2);
            const c = pC + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (mr == SMR && nr == SNR) {
              skern(kc, ap, bp, c, ldcB, alpha, b);
            } else {
              // Edge tile: compute the full 4×8 block into scratch, then merge the valid part.
              skern(kc, ap, bp, tile, <usize>(SNR << 2), alpha, 0);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  const dst = c + <usize>r * ldcB + (<usize>q << 2);
                  const t = load<f32>(tile + (<usize>(r * SNR + q) << 2));
                  store<f32>(dst, b == 0 ? t : t + b * load<f32>(dst));
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// f64: the same structure with a 4×4 tile of f64x2 accumulators.

function dpackA(tA: i32, mc: i32, kc: i32, pA: usize, lda: i32, ic: i32, pc: i32, dst: usize): void {
  const pstep = <usize>DMR << 3; // bytes per column of a packed panel
  for (let ir = 0; ir < mc; ir += DMR) {
    const mr = imin(DMR, mc - ir);
    const panel = dst + (<usize>(ir * kc) << 3);
    if (tA) {
      let src = pA + (<usize>(pc * lda + ic + ir) << 3);
      const step = <usize>lda << 3;
      if (mr == DMR) {
        let d = panel;
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += step;
          d += pstep;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + <usize>p * pstep;
          for (let r = 0; r < DMR; r++) store<f64>(d + (<usize>r << 3), r < mr ? load<f64>(src + (<usize>r << 3)) : 0);
          src += step;
        }
      }
    } else if (mr == DMR) {
      // Rows of op(A) are contiguous: read two columns of each row pair and transpose the 2×2
      // block in registers.
      const s0 = pA + (<usize>((ic + ir) * lda + pc) << 3);
      const rs = <usize>lda << 3;
      let p = 0;
      for (; p + 2 <= kc; p += 2) {
        const o = <usize>p << 3;
        const d = panel + <usize>p * pstep;
        for (let r = 0; r < DMR; r += 2) {
          const x0 = v128.load(s0 + <usize>r * rs + o);
          const x1 = v128.load(s0 + <usize>(r + 1) * rs + o);
          const q = d + (<usize>r << 3);
          v128.store(q, i64x2.shuffle(x0, x1, 0, 2));
          v128.store(q + pstep, i64x2.shuffle(x0, x1, 1, 3));
        }
      }
      for (; p < kc; p++) {
        const d = panel + <usize>p * pstep;
        for (let r = 0; r < DMR; r++) store<f64>(d + (<usize>r << 3), load<f64>(s0 + <usize>r * rs + (<usize>p << 3)));
      }
    } else {
      for (let r = 0; r < DMR; r++) {
        const d = panel + (<usize>r << 3);
        if (r < mr) {
          const src = pA + (<usize>((ic + ir + r) * lda + pc) << 3);
          for (let p = 0; p < kc; p++) store<f64>(d + <usize>p * pstep, load<f64>(src + (<usize>p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(d + <usize>p * pstep, 0);
        }
      }
    }
  }
}

function dpackB(tB: i32, kc: i32, nc: i32, pB: usize, ldb: i32, pc: i32, jc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += DNR) {
    const nr = imin(DNR, nc - jr);
    const panel = dst + (<usize>(jr * kc) << 3);
    if (!tB) {
      let src = pB + (<usize>(pc * ldb + jc + jr) << 3);
      const step = <usize>ldb << 3;
      if (nr == DNR) {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          for (let c = 0; c < DNR; c++) store<f64>(d + (<usize>c << 3), c < nr ? load<f64>(src + (<usize>c << 3)) : 0);
          src += step;
        }
      }
    } else {
      for (let c = 0; c < DNR; c++) {
        const d = panel + (<usize>c << 3);
        if (c < nr) {
          const src = pB + (<usize>((jc + jr + c) * ldb + pc) << 3);
          for (let p = 0; p < kc; p++) store<f64>(d + (<usize>p << 5), load<f64>(src + (<usize>p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(d + (<usize>p << 5), 0);
        }
      }
    }
  }
}

// One row of an f64 micro-tile (see `sout`).
@inline function dout(c: usize, x0: v128, x1: v128, av: v128, beta: f64): void {
  if (beta == 0) {
    v128.store(c, f64x2.mul(x0, av));
    v128.store(c, f64x2.mul(x1, av), 16);
  } else {
    const bv = f64x2.splat(beta);
    v128.store(c, f64x2.add(f64x2.mul(x0, av), f64x2.mul(v128.load(c), bv)));
    v128.store(c, f64x2.add(f64x2.mul(x1, av), f64x2.mul(v128.load(c, 16), bv)), 16);
  }
}

@inline function dkern(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, alpha: f64, beta: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = dfma(a, b0, c00);
    c01 = dfma(a, b1, c01);
    a = v128.load64_splat(pa, 8);
    c10 = dfma(a, b0, c10);
    c11 = dfma(a, b1, c11);
    a = v128.load64_splat(pa, 16);
    c20 = dfma(a, b0, c20);
    c21 = dfma(a, b1, c21);
    a = v128.load64_splat(pa, 24);
    c30 = dfma(a, b0, c30);
    c31 = dfma(a, b1, c31);
    pa += <usize>DMR << 3;
    pb += 32;
  }
  const av = f64x2.splat(alpha);
  dout(c, c00, c01, av, beta);
  dout(c + ldc, c10, c11, av, beta);
  dout(c + 2 * ldc, c20, c21, av, beta);
  dout(c + 3 * ldc, c30, c31, av, beta);
}

/** C ← α·op(A)·op(B) + β·C in f64; see `sgemm`. */
export function dgemm(
  tA: i32, tB: i32, M: i32, N: i32, K: i32, alpha: f64,
  pA: usize, lda: i32, pB: usize, ldb: i32, beta: f64, pC: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (let i = 0; i < M; i++) {
      const row = pC + (<usize>(i * ldc) << 3);
      for (let j = 0; j < N; j++) {
        const q = row + (<usize>j << 3);
        store<f64>(q, beta == 0 ? 0 : beta * load<f64>(q));
      }
    }
    return;
  }
  const pa0 = work;
  const pb0 = work + (<usize>(DMC * DKC) << 3);
  const tile = pb0 + (<usize>(DKC * DNC) << 3);
  const ldcB = <usize>ldc << 3;
  for (let jc = 0; jc < N; jc += DNC) {
    const nc = imin(DNC, N - jc);
    for (let pc = 0; pc < K; pc += DKC) {
      const kc = imin(DKC, K - pc);
      const b: f64 = pc == 0 ? beta : 1;
      dpackB(tB, kc, nc, pB, ldb, pc, jc, pb0);
      for (let ic = 0; ic < M; ic += DMC) {
        const mc = imin(DMC, M - ic);
        dpackA(tA, mc, kc, pA, lda, ic, pc, pa0);
        for (let jr = 0; jr < nc; jr += DNR) {
          const nr = imin(DNR, nc - jr);
          const bp = pb0 + (<usize>(jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += DMR) {
            const mr = imin(DMR, mc - ir);
            const ap = pa0 + (<usize>(ir * kc) << 3);
            const c = pC + (<usize>((ic + ir) * ldc + jc + jr) << 3);
            if (mr == DMR && nr == DNR) {
              dkern(kc, ap, bp, c, ldcB, alpha, b);
            } else {
              dkern(kc, ap, bp, tile, <usize>(DNR << 3), alpha, 0);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  const dst = c + <usize>r * ldcB + (<usize>q << 3);
                  const t = load<f64>(tile + (<usize>(r * DNR + q) << 3));
                  store<f64>(dst, b == 0 ? t : t + b * load<f64>(dst));
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Vector exp. Cody–Waite reduction x = n·ln2 + r with n rounded by the magic-number trick
// (adding 1.5·2^23, resp. 1.5·2^52, leaves round(x/ln2) in the low mantissa bits), a Taylor
// polynomial on |r| ≤ ln2/2, and the scale 2^n added straight into the exponent bits. Inputs
// below the normal range return exactly 0 (softmax only ever needs exp of x − max ≤ 0, where such
// terms are below 2^-125 relative to the largest term and cannot change a float sum).

@inline function expf4(x: v128): v128 {
  const lo = f32x4.splat(-86.5);
  const keep = f32x4.ge(x, lo); // false for NaN too; NaN is restored below
  const nan = f32x4.ne(x, x);
  let xc = f32x4.max(x, lo);
  xc = f32x4.min(xc, f32x4.splat(88.3));
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693145751953125)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.428606765330187045e-6)));
  let p = f32x4.splat(1.9841269841269841e-4); // 1/7!
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3888888888888889e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3333333333333333e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1666666666666667e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666666666666667e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const ni = i32x4.sub(t, magic);
  const y = i32x4.add(p, i32x4.shl(ni, 23));
  return v128.or(v128.and(y, keep), v128.and(x, nan));
}

@inline function expd2(x: v128): v128 {
  const lo = f64x2.splat(-707.5);
  const keep = f64x2.ge(x, lo);
  const nan = f64x2.ne(x, x);
  let xc = f64x2.max(x, lo);
  xc = f64x2.min(xc, f64x2.splat(709.0));
  const magic = f64x2.splat(6755399441055744.0);
  const t = f64x2.add(f64x2.mul(xc, f64x2.splat(1.44269504088896338700e+00)), magic);
  const n = f64x2.sub(t, magic);
  // fdlibm's ln2 split: ln2_hi has 32 significant bits, so n·ln2_hi is exact for |n| < 2^21.
  let r = f64x2.sub(xc, f64x2.mul(n, f64x2.splat(6.93147180369123816490e-01)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.90821492927058770002e-10)));
  // Taylor to degree 13: the remainder r^14/14! ≤ 4e-18 for |r| ≤ ln2/2, below half an ulp.
  let p = f64x2.splat(1.6059043836821613e-10); // 1/13!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.08767569878681e-9));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.6666666666666666e-1));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const ni = i64x2.sub(t, magic);
  const y = i64x2.add(p, i64x2.shl(ni, 52));
  return v128.or(v128.and(y, keep), v128.and(x, nan));
}

/** exp of `n` f32 values from `src` to `dst` (for testing the vector exp; tail done in SIMD too). */
export function sexpArray(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), expf4(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) {
    const v = expf4(f32x4.splat(load<f32>(src + (<usize>i << 2))));
    store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(v, 0));
  }
}

/** exp of `n` f64 values from `src` to `dst` (for testing the vector exp). */
export function dexpArray(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), expd2(v128.load(src + (<usize>i << 3))));
  for (; i < n; i++) {
    const v = expd2(f64x2.splat(load<f64>(src + (<usize>i << 3))));
    store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(v, 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Row passes over f32 / f64 rows.

@inline function smaxRow(z: usize, n: i32): f32 {
  let m4 = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) m4 = f32x4.max(m4, v128.load(z + (<usize>j << 2)));
  let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; j < n; j++) m = max(m, load<f32>(z + (<usize>j << 2)));
  return m;
}

@inline function dmaxRow(z: usize, n: i32): f64 {
  let m2 = f64x2.splat(-Infinity);
  let j = 0;
  for (; j + 2 <= n; j += 2) m2 = f64x2.max(m2, v128.load(z + (<usize>j << 3)));
  let m = max(f64x2.extract_lane(m2, 0), f64x2.extract_lane(m2, 1));
  for (; j < n; j++) m = max(m, load<f64>(z + (<usize>j << 3)));
  return m;
}

// Σ exp(z_j − m) over a row, the exps accumulated in f64; when `e` ≠ 0 the f32 exps are stored there.
@inline function ssumExpRow(z: usize, n: i32, m: f32, e: usize): f64 {
  const mv = f32x4.splat(m);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = expf4(f32x4.sub(v128.load(z + (<usize>j << 2)), mv));
    if (e) v128.store(e + (<usize>j << 2), v);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; j < n; j++) {
    const v = f32x4.extract_lane(expf4(f32x4.splat(load<f32>(z + (<usize>j << 2)) - m)), 0);
    if (e) store<f32>(e + (<usize>j << 2), v);
    s += <f64>v;
  }
  return s;
}

@inline function dsumExpRow(z: usize, n: i32, m: f64, e: usize): f64 {
  const mv = f64x2.splat(m);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v0 = expd2(f64x2.sub(v128.load(z + (<usize>j << 3)), mv));
    const v1 = expd2(f64x2.sub(v128.load(z + (<usize>j << 3), 16), mv));
    if (e) {
      v128.store(e + (<usize>j << 3), v0);
      v128.store(e + (<usize>j << 3), v1, 16);
    }
    s0 = f64x2.add(s0, v0);
    s1 = f64x2.add(s1, v1);
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; j < n; j++) {
    const v = f64x2.extract_lane(expd2(f64x2.splat(load<f64>(z + (<usize>j << 3)) - m)), 0);
    if (e) store<f64>(e + (<usize>j << 3), v);
    s += v;
  }
  return s;
}

/**
 * Fused softmax cross-entropy over `rows` f32 rows of length `n` (row stride `ldz`): for each row
 * writes `lse = max + log Σ exp(z − max)` to `pLse` (f64) and, when `pT` ≠ 0, the loss `lse − z[t]`
 * to `pLoss` (f64). When `pG` ≠ 0 writes the gradient `scale·(softmax(z) − onehot(t))` (f32, row
 * stride `ldg`; `pG` may equal `pZ`). Without targets (`pT` = 0) the gradient is `scale·softmax(z)`.
 */
export function sceRows(pZ: usize, ldz: i32, rows: i32, n: i32, pT: usize, pLse: usize, pLoss: usize, pG: usize, ldg: i32, scale: f64): void {
  for (let i = 0; i < rows; i++) {
    const z = pZ + (<usize>(i * ldz) << 2);
    const g = pG ? pG + (<usize>(i * ldg) << 2) : 0;
    const t = pT ? load<i32>(pT + (<usize>i << 2)) : -1;
    const zt: f64 = t >= 0 ? <f64>load<f32>(z + (<usize>t << 2)) : 0;
    const m = smaxRow(z, n);
    const s = ssumExpRow(z, n, m, g);
    const lse = <f64>m + Math.log(s);
    store<f64>(pLse + (<usize>i << 3), lse);
    if (pT) store<f64>(pLoss + (<usize>i << 3), lse - zt);
    if (g) {
      const f = <f32>(scale / s);
      const fv = f32x4.splat(f);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const q = g + (<usize>j << 2);
        v128.store(q, f32x4.mul(v128.load(q), fv));
      }
      for (; j < n; j++) {
        const q = g + (<usize>j << 2);
        store<f32>(q, load<f32>(q) * f);
      }
      if (t >= 0) {
        const q = g + (<usize>t << 2);
        store<f32>(q, <f32>(<f64>load<f32>(q) - scale));
      }
    }
  }
}

/** The f64 twin of `sceRows` (f64 rows and gradient). */
export function dceRows(pZ: usize, ldz: i32, rows: i32, n: i32, pT: usize, pLse: usize, pLoss: usize, pG: usize, ldg: i32, scale: f64): void {
  for (let i = 0; i < rows; i++) {
    const z = pZ + (<usize>(i * ldz) << 3);
    const g = pG ? pG + (<usize>(i * ldg) << 3) : 0;
    const t = pT ? load<i32>(pT + (<usize>i << 2)) : -1;
    const zt: f64 = t >= 0 ? load<f64>(z + (<usize>t << 3)) : 0;
    const m = dmaxRow(z, n);
    const s = dsumExpRow(z, n, m, g);
    const lse = m + Math.log(s);
    store<f64>(pLse + (<usize>i << 3), lse);
    if (pT) store<f64>(pLoss + (<usize>i << 3), lse - zt);
    if (g) {
      const f = scale / s;
      const fv = f64x2.splat(f);
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        const q = g + (<usize>j << 3);
        v128.store(q, f64x2.mul(v128.load(q), fv));
      }
      for (; j < n; j++) {
        const q = g + (<usize>j << 3);
        store<f64>(q, load<f64>(q) * f);
      }
      if (t >= 0) {
        const q = g + (<usize>t << 3);
        store<f64>(q, load<f64>(q) - scale);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fused log-partition: running (max, Σexp) per row of H over the logits H·Vᵀ, computed one
// MC×LNC tile at a time so that the logits never leave the cache.

/** Bytes of workspace `slseNT` needs for depth `K` (packed B block K×LNC and a logits tile). */
export function lseWorkspaceBytes(K: i32): usize {
  const s = (<usize>K * <usize>LNC + <usize>(SMC * LNC)) << 2;
  const d = (<usize>K * <usize>LNC + <usize>(DMC * LNC)) << 3;
  return s > d ? s : d;
}

/** Bytes of the fully packed A operand for `spackAFull` / `dpackAFull`. */
export function packAFullBytes(M: i32, K: i32, elt: i32): usize {
  const mp = (M + 3) & ~3;
  return <usize>mp * <usize>K * <usize>elt;
}

/** Pack all of op(A) (M×K), K-block by K-block, for `slseNT` (shared by the threads). */
export function spackAFull(tA: i32, M: i32, K: i32, pA: usize, lda: i32, dst: usize): void {
  const mp = (M + SMR - 1) & ~(SMR - 1);
  for (let pc = 0; pc < K; pc += SKC) {
    const kc = imin(SKC, K - pc);
    spackA(tA, M, kc, pA, lda, 0, pc, dst + (<usize>(pc * mp) << 2));
  }
}

export function dpackAFull(tA: i32, M: i32, K: i32, pA: usize, lda: i32, dst: usize): void {
  const mp = (M + DMR - 1) & ~(DMR - 1);
  for (let pc = 0; pc < K; pc += DKC) {
    const kc = imin(DKC, K - pc);
    dpackA(tA, M, kc, pA, lda, 0, pc, dst + (<usize>(pc * mp) << 3));
  }
}

/**
 * For the M rows of a pre-packed H (`pAp`, from `spackAFull`, depth K) and N rows of V (`pV`,
 * row stride `ldv`), update per-row running maxima `pMax` and sums `pSum` (both f64, M entries) of
 * exp(H·Vᵀ): afterwards log-partition = max + log(sum) over all columns seen so far.
 */
export function slseNT(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize): void {
  slseTiles(pAp, M, K, pV, ldv, N, pMax, pSum, work, 0, 0);
}

/**
 * `slseNT` that also stores the logits: row `r`, column `j` of H·Vᵀ goes to `pZ + (r·ldz + j)·4`
 * (the ranking pass needs them again once each row's log-partition is known). The running maxima
 * and sums are computed by the same code as `slseNT`'s, so they are bitwise the same.
 */
export function slseStoreNT(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize, pZ: usize, ldz: i32): void {
  slseTiles(pAp, M, K, pV, ldv, N, pMax, pSum, work, pZ, ldz);
}

// The body of `slseNT` and `slseStoreNT` (`pZ` = 0: the logits are not stored).
@inline function slseTiles(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize, pZ: usize, ldz: i32): void {
  const mp = (M + SMR - 1) & ~(SMR - 1);
  const pb0 = work;
  const tile = work + (<usize>K * <usize>LNC << 2);
  const ldt = <usize>LNC << 2;
  for (let jc = 0; jc < N; jc += LNC) {
    const nc = imin(LNC, N - jc);
    const ncp = (nc + SNR - 1) & ~(SNR - 1);
    for (let pc = 0; pc < K; pc += SKC) {
      const kc = imin(SKC, K - pc);
      spackB(1, kc, nc, pV, ldv, pc, jc, pb0 + (<usize>(pc * ncp) << 2));
    }
    for (let ic = 0; ic < M; ic += SMC) {
      const mc = imin(SMC, M - ic);
      for (let pc = 0; pc < K; pc += SKC) {
        const kc = imin(SKC, K - pc);
        const b: f32 = pc == 0 ? 0 : 1;
        const pa = pAp + (<usize>(pc * mp + ic * kc) << 2);
        const pb = pb0 + (<usize>(pc * ncp) << 2);
        for (let jr = 0; jr < nc; jr += SNR) {
          for (let ir = 0; ir < mc; ir += SMR) {
            // The tile is padded to whole micro-tiles, so edges need no special case; padded
            // rows/columns hold products of zero padding and are never read.
            skern(kc, pa + (<usize>(ir * kc) << 2), pb + (<usize>(jr * kc) << 2), tile + <usize>ir * ldt + (<usize>jr << 2), ldt, 1, b);
          }
        }
      }
      for (let r = 0; r < mc; r++) {
        const z = tile + <usize>r * ldt;
        if (pZ) memory.copy(pZ + ((<usize>(ic + r) * <usize>ldz + <usize>jc) << 2), z, <usize>nc << 2);
        const qm = pMax + (<usize>(ic + r) << 3);
        const qs = pSum + (<usize>(ic + r) << 3);
        let m = load<f64>(qm);
        let s = load<f64>(qs);
        const tm = <f64>smaxRow(z, nc);
        if (tm > m) {
          s = m == -Infinity ? 0 : s * Math.exp(m - tm);
          m = tm;
        }
        store<f64>(qm, m);
        store<f64>(qs, s + ssumExpRow(z, nc, <f32>m, 0));
      }
    }
  }
}

/** The f64 twin of `slseNT`. */
export function dlseNT(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize): void {
  dlseTiles(pAp, M, K, pV, ldv, N, pMax, pSum, work, 0, 0);
}

/** The f64 twin of `slseStoreNT`. */
export function dlseStoreNT(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize, pZ: usize, ldz: i32): void {
  dlseTiles(pAp, M, K, pV, ldv, N, pMax, pSum, work, pZ, ldz);
}

@inline function dlseTiles(pAp: usize, M: i32, K: i32, pV: usize, ldv: i32, N: i32, pMax: usize, pSum: usize, work: usize, pZ: usize, ldz: i32): void {
  const mp = (M + DMR - 1) & ~(DMR - 1);
  const pb0 = work;
  const tile = work + (<usize>K * <usize>LNC << 3);
  const ldt = <usize>LNC << 3;
  for (let jc = 0; jc < N; jc += LNC) {
    const nc = imin(LNC, N - jc);
    const ncp = (nc + DNR - 1) & ~(DNR - 1);
    for (let pc = 0; pc < K; pc += DKC) {
      const kc = imin(DKC, K - pc);
      dpackB(1, kc, nc, pV, ldv, pc, jc, pb0 + (<usize>(pc * ncp) << 3));
    }
    for (let ic = 0; ic < M; ic += DMC) {
      const mc = imin(DMC, M - ic);
      for (let pc = 0; pc < K; pc += DKC) {
        const kc = imin(DKC, K - pc);
        const b: f64 = pc == 0 ? 0 : 1;
        const pa = pAp + (<usize>(pc * mp + ic * kc) << 3);
        const pb = pb0 + (<usize>(pc * ncp) << 3);
        for (let jr = 0; jr < nc; jr += DNR) {
          for (let ir = 0; ir < mc; ir += DMR) {
            dkern(kc, pa + (<usize>(ir * kc) << 3), pb + (<usize>(jr * kc) << 3), tile + <usize>ir * ldt + (<usize>jr << 3), ldt, 1, b);
          }
        }
      }
      for (let r = 0; r < mc; r++) {
        const z = tile + <usize>r * ldt;
        if (pZ) memory.copy(pZ + ((<usize>(ic + r) * <usize>ldz + <usize>jc) << 3), z, <usize>nc << 3);
        const qm = pMax + (<usize>(ic + r) << 3);
        const qs = pSum + (<usize>(ic + r) << 3);
        let m = load<f64>(qm);
        let s = load<f64>(qs);
        const tm = dmaxRow(z, nc);
        if (tm > m) {
          s = m == -Infinity ? 0 : s * Math.exp(m - tm);
          m = tm;
        }
        store<f64>(qm, m);
        store<f64>(qs, s + dsumExpRow(z, nc, m, 0));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The ranking pass's accumulation: sums[j] += μ_r · exp(z[r, j] − lse_r) over stored logits, for
// the columns [0, N) of a strip (a thread's words). Each column is summed over the rows in row
// order, so the result does not depend on how the columns are split across threads. The
// difference and its exp are taken in f64 (z promoted exactly), as the TypeScript kernel does:
// a probability far below the largest one keeps its relative accuracy down to exp's f64 range.

/**
 * For `rows` rows of f32 logits (`pZ`, row stride `ldz` elements, `N` columns), with per-row
 * log-partitions `pLse` and weights `pW` (f64; `pW` = 0: all 1), add `μ_r·exp(z − lse_r)` to the
 * f64 sums at `pSums` (`N` entries). Rows of weight 0 are skipped.
 */
export function sprobSums(pZ: usize, ldz: i32, rows: i32, N: i32, pLse: usize, pW: usize, pSums: usize): void {
  for (let r = 0; r < rows; r++) {
    const w: f64 = pW ? load<f64>(pW + (<usize>r << 3)) : 1;
    if (w == 0) continue;
    const lse = load<f64>(pLse + (<usize>r << 3));
    const lv = f64x2.splat(lse);
    const wv = f64x2.splat(w);
    const z = pZ + (<usize>r * <usize>ldz << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const v = v128.load(z + (<usize>j << 2));
      const q = pSums + (<usize>j << 3);
      const e0 = expd2(f64x2.sub(f64x2.promote_low_f32x4(v), lv));
      const e1 = expd2(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), lv));
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(wv, e0)));
      v128.store(q, f64x2.add(v128.load(q, 16), f64x2.mul(wv, e1)), 16);
    }
    for (; j < N; j++) {
      const q = pSums + (<usize>j << 3);
      const e = f64x2.extract_lane(expd2(f64x2.splat(<f64>load<f32>(z + (<usize>j << 2)) - lse)), 0);
      store<f64>(q, load<f64>(q) + w * e);
    }
  }
}

/** The f64 twin of `sprobSums` (f64 logits). */
export function dprobSums(pZ: usize, ldz: i32, rows: i32, N: i32, pLse: usize, pW: usize, pSums: usize): void {
  for (let r = 0; r < rows; r++) {
    const w: f64 = pW ? load<f64>(pW + (<usize>r << 3)) : 1;
    if (w == 0) continue;
    const lse = load<f64>(pLse + (<usize>r << 3));
    const lv = f64x2.splat(lse);
    const wv = f64x2.splat(w);
    const z = pZ + (<usize>r * <usize>ldz << 3);
    let j = 0;
    for (; j + 2 <= N; j += 2) {
      const q = pSums + (<usize>j << 3);
      const e = expd2(f64x2.sub(v128.load(z + (<usize>j << 3)), lv));
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(wv, e)));
    }
    for (; j < N; j++) {
      const q = pSums + (<usize>j << 3);
      const e = f64x2.extract_lane(expd2(f64x2.splat(load<f64>(z + (<usize>j << 3)) - lse)), 0);
      store<f64>(q, load<f64>(q) + w * e);
    }
  }
}
