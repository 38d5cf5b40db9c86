/**
 * lmtransfer: when does a language model that is good at pre-training give representations that
 * are good for downstream tasks? Log-linear models `p(w|s) = softmax(V h(s))`, the anchor vector,
 * downstream probes and the theorems of Wu, Lee and Ge (NeurIPS 2023), executable.
 *
 * This root entry (`lmtransfer`) holds the numerical core, models, training, tasks, the anchor,
 * the theory and in-memory file formats, and runs in Node, browsers and Web Workers. The
 * experiments (`lmtransfer/experiments`), the figures (`lmtransfer/figures`) and the command line
 * (`lmtransfer/cli`, Node only) are separate entries, so an application that imports the core does
 * not load them; `lmtransfer/io` is the file formats on their own.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './linalg/index.js';
export * from './softmax/index.js';
export * from './loss/index.js';
export * from './random/index.js';
export * from './model/index.js';
export * from './train/index.js';
export * from './tasks/index.js';
export * from './anchor/index.js';
export * from './theory/index.js';
export * from './io/index.js';
export * from './interop/index.js';
export * from './backend/index.js';
