// Public exports of src/backend/: choosing and describing the kernel backend.
export { setBackend } from './setBackend.js';
export { setThreads } from './setThreads.js';
export { getBackendInfo, type BackendInfo } from './getBackendInfo.js';
export type { BackendName } from './config.js';
export { fastExp } from '../kernels/fastExp.js';
