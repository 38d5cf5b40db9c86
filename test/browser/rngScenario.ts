/**
 * The part of the browser scenario that needs no kernel backend: `createRng` with `fork` (the
 * SHA-256 fork seeds and the xor4096 draws of the children). It imports only `src/random/createRng`,
 * so it runs in a browser even where the backend cannot be bundled.
 */
import { createRng } from '../../src/random/createRng.js';

/** Fork seeds and the first draws of each child. */
export interface RngResult {
  forkSeeds: string[];
  draws: number[];
}

export function runRngScenario(): RngResult {
  const root = createRng(42);
  const forks = [root.fork('train'), root.fork(3).fork('é∑🙂'), createRng('browser').fork('worker'), createRng(7).fork('x'.repeat(200))];
  return { forkSeeds: forks.map((r) => r.seed), draws: forks.flatMap((r) => [r.next(), r.normal(), r.int(1000), r.next()]) };
}
