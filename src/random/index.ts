// Public exports of src/random/: the seeded stream and categorical sampling.
export { createRng } from './createRng.js';
export type { Rng } from './createRng.js';
export { sampleCategorical } from './sampleCategorical.js';
export { permutation } from './permutation.js';
