import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundleProgram, type BundleResult } from './fixtures/bundleProgram.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';

// An application that bundles and minifies the library must still get its worker threads: they
// start from the worker program bundled at build time (src/wasm/generated/worker.ts), not from
// function source texts that a minifier rewrites. Before, the bundle below threw
// "NumericalError: worker thread 1 failed to start" on both backends.
const root = join(__dirname, '../..');
const esbuild = join(root, 'node_modules/.bin/esbuild');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lmtransfer-bundle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  setBackend('auto');
  setThreads('auto');
});

function bundle(platform: 'node' | 'browser', entry: string, out: string, extra: string[] = []): string {
  const outfile = join(dir, out);
  execFileSync(esbuild, [entry, '--bundle', '--minify', `--platform=${platform}`, '--format=esm', `--outfile=${outfile}`, '--log-level=error', ...extra], { cwd: root });
  return outfile;
}

describe('the library bundled and minified by an application (esbuild --bundle --minify)', () => {
  it.each(['auto', 'js'] as const)('%s: two-thread matmul, logPartition and train steps from the bundle equal the unbundled library', (backend) => {
    const outfile = bundle('node', 'test/backend/fixtures/bundleMain.ts', `main-${backend}.mjs`);
    const fromBundle = JSON.parse(execFileSync(process.execPath, [outfile, backend], { encoding: 'utf8', timeout: 300000 })) as BundleResult;
    const here = runBundleProgram(backend);
    expect(fromBundle.backend).toBe(backend === 'js' ? 'js' : here.backend);
    // The threads ran in the bundle.
    expect(fromBundle.workersStarted).toBeGreaterThanOrEqual(1);
    // Same code, same split rules: bitwise the same numbers (JSON round-trips doubles exactly).
    expect(fromBundle).toEqual({ ...here, workersStarted: fromBundle.workersStarted });
    expect(fromBundle.losses.length).toBe(4);
  });

  it('a browser bundle (esbuild --platform=browser) takes the browser platform module, names no Node module outside the worker program, and runs on one thread', () => {
    // From the sources, the `lmtransfer-source` condition of package.json `imports` selects
    // src/platform/browser.ts (tsconfig's `paths`, which names the Node one for tsc and tsx, is
    // set aside); from the built package the `default` condition does the same.
    const outfile = bundle('browser', 'test/backend/fixtures/browserEntry.ts', 'browser.mjs', ['--conditions=lmtransfer-source', '--tsconfig-raw={}']);
    const code = readFileSync(outfile, 'utf8');
    // The only Node module named is inside the worker program's text, read only where `require` exists.
    const mentions = code.match(/node:[a-z_]+/g) ?? [];
    expect(new Set(mentions)).toEqual(new Set(['node:worker_threads']));
    expect(code).not.toMatch(/availableParallelism|setFlagsFromString|emitWarning/);
    // Run it here as a page's main thread would (no WorkerGlobalScope): WebAssembly on one thread.
    const script = `const m = await import(${JSON.stringify(outfile)});
const a = new Float64Array(96 * 80).map((_, i) => Math.sin(i));
const c = new Float64Array(96 * 96);
m.setThreads(4);
m.gemm(false, true, 96, 96, 80, 1, a, 0, 80, a, 0, 80, 0, c, 0, 96);
process.stdout.write(JSON.stringify({ info: m.getBackendInfo(), c: Array.from(c) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { info: Record<string, unknown>; c: number[] };
    expect(out.info).toMatchObject({ platform: 'browser', backend: 'wasm', threads: 1, workersStarted: 0 });
    expect(String(out.info.threadsReason)).toMatch(/main thread/);
    // The portable module runs there (no engine flag can be set from a page) unless relaxed SIMD is native.
    expect(String(out.info.fmaReason)).toMatch(/engine flags cannot be set in a browser|supported by this engine/);
    // Against a float64 reference: |Σ a_ik a_jk| error within K·u·Σ|a_ik a_jk|.
    for (let i = 0; i < 96; i += 7) {
      for (let j = 0; j < 96; j += 5) {
        let s = 0;
        let sa = 0;
        for (let k = 0; k < 80; k++) {
          const p = Math.sin(i * 80 + k) * Math.sin(j * 80 + k);
          s += p;
          sa += Math.abs(p);
        }
        expect(Math.abs(out.c[i * 96 + j] - s)).toBeLessThanOrEqual(2 * 80 * 2 ** -53 * sa);
      }
    }
  });
});
