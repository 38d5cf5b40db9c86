import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { DomainError } from '../../src/core/errors.js';
import { TSX_IMPORT } from './helpers.js';
import { setWorkerIdleExitMs } from '../../src/backend/pool.js';
import { gemm } from '../../src/linalg/gemm.js';

const backendIndex = join(__dirname, '../../src/backend/index.ts');
const gemmModule = join(__dirname, '../../src/linalg/gemm.ts');

/** Run an ES module snippet in a fresh Node process (sources loaded through tsx). */
function runChild(code: string, env: Record<string, string> = {}, timeoutMs = 60_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...TSX_IMPORT, '--input-type=module', '-e', code], {
    env: { ...process.env, LMTRANSFER_BACKEND: '', LMTRANSFER_THREADS: '', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { ...r, ms: Date.now() - t0 };
}

afterAll(() => {
  setBackend('auto');
  setThreads('auto');
});

describe('setBackend / setThreads / getBackendInfo', () => {
  it('switches the backend and reports it', () => {
    setBackend('js');
    expect(getBackendInfo()).toMatchObject({ backend: 'js', requested: 'js' });
    setBackend('wasm');
    expect(getBackendInfo()).toMatchObject({ backend: 'wasm', requested: 'wasm', wasmSimd: true });
    setBackend('auto');
    expect(getBackendInfo()).toMatchObject({ backend: 'wasm', requested: 'auto' });
  });

  it('rejects an unknown backend with a DomainError naming the argument', () => {
    expect(() => setBackend('gpu' as never)).toThrow(DomainError);
    expect(() => setBackend('gpu' as never)).toThrow(`setBackend: argument 'backend' must be one of 'auto', 'wasm', 'js'; got "gpu"`);
    expect(() => setBackend(undefined as never)).toThrow(`setBackend: argument 'backend' must be one of 'auto', 'wasm', 'js'; got undefined`);
  });

  it('sets the thread count and rejects bad counts with a DomainError', () => {
    setThreads(3);
    expect(getBackendInfo().threads).toBe(3);
    setThreads(1);
    expect(getBackendInfo()).toMatchObject({ threads: 1, workersStarted: 0 });
    expect(() => setThreads(0)).toThrow(DomainError);
    expect(() => setThreads(0)).toThrow(`setThreads: argument 'n' must be an integer in [1, 64]; got 0`);
    expect(() => setThreads(65)).toThrow(`setThreads: argument 'n' must be an integer in [1, 64]; got 65`);
    expect(() => setThreads(1.5)).toThrow(`setThreads: argument 'n' must be an integer in [1, 64]; got 1.5`);
    expect(() => setThreads('two' as never)).toThrow(`setThreads: argument 'n' must be an integer in [1, 64] or 'auto'; got "two"`);
    setThreads('auto');
    expect(getBackendInfo().threads).toBeGreaterThanOrEqual(1);
  });
});

describe('environment and process lifetime (child processes)', () => {
  it('honours LMTRANSFER_BACKEND and LMTRANSFER_THREADS, and warns on an unknown value', () => {
    const code = `import { getBackendInfo } from ${JSON.stringify(backendIndex)}; const i = getBackendInfo(); console.log(JSON.stringify([i.backend, i.threads]));`;
    const js = runChild(code, { LMTRANSFER_BACKEND: 'js', LMTRANSFER_THREADS: '1' });
    expect(js.status).toBe(0);
    expect(JSON.parse(js.stdout.trim())).toEqual(['js', 1]);
    const bad = runChild(code, { LMTRANSFER_BACKEND: 'cuda' });
    expect(bad.status).toBe(0);
    expect(JSON.parse(bad.stdout.trim())[0]).toBe('wasm');
    expect(bad.stderr).toContain(`LMTRANSFER_BACKEND must be one of 'auto', 'wasm', 'js'; got "cuda"`);
  });

  it('the worker pool does not keep the process alive after a threaded product', () => {
    // A product above the threading threshold starts a worker; the script then simply ends. A pool
    // that held the event loop open would make the child hang until the spawn timeout kills it.
    const code = `
      import { gemm } from ${JSON.stringify(gemmModule)};
      import { getBackendInfo, setThreads } from ${JSON.stringify(backendIndex)};
      setThreads(2);
      const M = 128, N = 256, K = 64;
      const a = new Float64Array(M * K).fill(1), b = new Float64Array(K * N).fill(2), c = new Float64Array(M * N);
      gemm(false, false, M, N, K, 1, a, 0, K, b, 0, N, 0, c, 0, N);
      console.log(JSON.stringify([getBackendInfo().workersStarted, c[0], c[M * N - 1]]));
    `;
    const r = runChild(code, {}, 60_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual([1, 128, 128]);
  });
});

describe('worker lifetime', () => {
  it('an idle worker exits after its idle time and is restarted transparently on the next call', async () => {
    setWorkerIdleExitMs(150);
    setThreads(1); // stop the current pool so the next one starts with the short idle time
    setThreads(2);
    const M = 128;
    const N = 256;
    const K = 64;
    const a = new Float64Array(M * K).fill(0.5);
    const b = new Float64Array(K * N).fill(2);
    const run = () => {
      const c = new Float64Array(M * N);
      gemm(false, false, M, N, K, 1, a, 0, K, b, 0, N, 0, c, 0, N);
      return c;
    };
    expect(run().every((v) => v === 64)).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(run().every((v) => v === 64)).toBe(true);
    expect(getBackendInfo().workersStarted).toBe(1);
    setWorkerIdleExitMs(10_000);
    setThreads(1);
  });
});
