import * as nodePlatform from '../../src/platform/node.js';
import * as browserPlatform from '../../src/platform/browser.js';

// The two implementations behind `#platform` (package.json `imports`) must export the same names
// with the same types: this assignment fails to type-check otherwise (`npm run typecheck`).
const sameShape: typeof nodePlatform = browserPlatform;

describe('platform seam', () => {
  it('both implementations export the same names', () => {
    expect(Object.keys(browserPlatform).sort()).toEqual(Object.keys(nodePlatform).sort());
    expect(sameShape.PLATFORM_NAME).toBe('browser');
    expect(nodePlatform.PLATFORM_NAME).toBe('node');
  });

  it('decode base64 to the same bytes', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
    const b64 = Buffer.from(bytes).toString('base64');
    expect(Array.from(browserPlatform.base64Bytes(b64))).toEqual(Array.from(bytes));
    expect(Array.from(nodePlatform.base64Bytes(b64))).toEqual(Array.from(bytes));
  });

  it('the browser implementation refuses threads on a main thread and engine flags, and reads no environment', () => {
    // Here there is no WorkerGlobalScope: the situation of a page's main thread.
    const ts = browserPlatform.threadSupport();
    expect(ts.ok).toBe(false);
    expect(ts.reason).toMatch(/main thread/);
    expect(ts.blockingStart).toBe(false);
    expect(() => browserPlatform.setEngineFlag('--foo')).toThrow(/cannot be set in a browser/);
    expect(browserPlatform.envVar('PATH')).toBeUndefined();
    expect(browserPlatform.hardwareThreads()).toBeGreaterThanOrEqual(1);
  });

  it('the browser implementation allows threads in a cross-origin isolated Web Worker only', () => {
    const g = globalThis as unknown as Record<string, unknown>;
    class WorkerGlobalScope {}
    Object.setPrototypeOf(globalThis, WorkerGlobalScope.prototype);
    const saved = { WorkerGlobalScope: g.WorkerGlobalScope, crossOriginIsolated: g.crossOriginIsolated, Worker: g.Worker, Blob: g.Blob };
    try {
      g.WorkerGlobalScope = WorkerGlobalScope;
      g.Worker = class {};
      g.crossOriginIsolated = false;
      expect(browserPlatform.threadSupport()).toMatchObject({ ok: false, reason: expect.stringMatching(/cross-origin isolated/) });
      g.crossOriginIsolated = true;
      expect(browserPlatform.threadSupport()).toMatchObject({ ok: true, blockingStart: false });
    } finally {
      Object.assign(g, saved);
      Object.setPrototypeOf(globalThis, Object.prototype);
    }
  });

  it('the Node implementation blocks on a starting worker and reads the environment', () => {
    expect(nodePlatform.threadSupport()).toMatchObject({ ok: true, blockingStart: true });
    process.env.LMTRANSFER_PLATFORM_TEST = 'x';
    expect(nodePlatform.envVar('LMTRANSFER_PLATFORM_TEST')).toBe('x');
    delete process.env.LMTRANSFER_PLATFORM_TEST;
  });
});
