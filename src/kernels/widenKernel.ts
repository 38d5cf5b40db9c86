/**
 * Exact float32 ↔ float64 copies that keep the arithmetic kernels monomorphic. V8 compiles a loop
 * over typed-array elements for the array kinds it has seen there; a kernel that receives both
 * Float32Array and Float64Array rows (a program that alternates precisions, or the `'js'` backend's
 * worker serving both) is de-optimised on the second kind ("wrong map") and re-compiled with a
 * type check on every element access. A factory of per-precision closures does not avoid it: V8
 * shares the feedback and the optimised code of all closures made at one site. So the arithmetic
 * of a row (src/kernels/crossEntropyKernel.ts, src/kernels/logPartitionRowBlocksKernel.ts) is
 * written once, over Float64Array only, and a float32 row is widened into float64 scratch before it
 * and narrowed after it by these two loops, which only ever see one kind each. Widening is exact,
 * and a value computed in float64 and then narrowed is rounded once, as a direct float32 store
 * would round it, so results are bitwise those of the arithmetic on the float32 arrays.
 *
 * @internal
 */

/**
 * `dst[j] = src[off + j]` for `j < n` (exact).
 *
 * @example
 * ```ts
 * const dst = new Float64Array(2);
 * widenRow(Float32Array.of(9, 0.1, 2), 1, 2, dst); // dst = [Math.fround(0.1), 2]
 * ```
 */
export function widenRow(src: Float32Array, off: number, n: number, dst: Float64Array): void {
  for (let j = 0; j < n; j++) dst[j] = src[off + j];
}

/**
 * `dst[off + j] = src[j]` for `j < n`, each rounded once to float32.
 *
 * @example
 * ```ts
 * const dst = new Float32Array(3);
 * narrowRow(Float64Array.of(0.1, 2), 2, dst, 1); // dst = [0, Math.fround(0.1), 2]
 * ```
 */
export function narrowRow(src: Float64Array, n: number, dst: Float32Array, off: number): void {
  for (let j = 0; j < n; j++) dst[off + j] = src[j];
}
