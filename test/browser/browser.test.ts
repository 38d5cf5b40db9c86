/**
 * The library in a browser: each page scenario is bundled with esbuild for the browser platform,
 * served from 127.0.0.1 with the cross-origin-isolation headers, and run in Debian's headless
 * Chromium on the page's main thread and inside a module Web Worker; the numbers are compared with
 * the same calls in this Node process. When Chromium is missing the tests fail and say so: a
 * browser check that skips would pass on exactly the machines where it was never run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build, type BuildFailure } from 'esbuild';
import { Chromium } from './chromium.js';
import { serveDirectory } from './staticServer.js';
import type { PageOutcome } from './publish.js';
import { runRngScenario, type RngResult } from './rngScenario.js';
import { runScenario, type ScenarioResult } from './scenario.js';

/** Per test: bundling, starting Chromium, the scenario on two threads (1024 × 10,000 logPartition in each). */
const TIMEOUT_MS = 300_000;

let chromium: Promise<Chromium> | null = null;
const launched = (): Promise<Chromium> => (chromium ??= Chromium.launch());

afterAll(async () => {
  if (chromium) await chromium.then((c) => c.close(), () => undefined);
});

/**
 * Bundle `entry` (a file in this folder) for the browser, serve it with a page that loads it as a
 * module script, open the page, and return what it published, with the page's uncaught errors.
 */
async function runPage<T>(entry: string): Promise<PageOutcome<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-page-'));
  try {
    try {
      await build({
        entryPoints: [join(__dirname, entry)], bundle: true, platform: 'browser', format: 'esm', target: 'es2022',
        outdir: dir, logLevel: 'silent', conditions: ['lmtransfer-source'], tsconfigRaw: {},
      });
    } catch (e) {
      const errors = (e as BuildFailure).errors ?? [];
      const lines = errors.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`);
      throw new Error(`esbuild --platform=browser could not bundle ${entry} (${errors.length} errors):\n${lines.join('\n')}`);
    }
    const script = basename(entry).replace(/\.ts$/, '.js');
    writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>lmtransfer</title><script type="module" src="/${script}"></script>\n`);
    const server = await serveDirectory(dir);
    const browser = await launched();
    const session = await browser.newPage();
    const pageErrors: string[] = [];
    browser.onEvent((ev) => {
      if (ev.sessionId !== session) return;
      if (ev.method === 'Runtime.exceptionThrown') {
        const d = ev.params.exceptionDetails as { text?: string; exception?: { description?: string } };
        pageErrors.push(d.exception?.description ?? d.text ?? 'exception');
      }
    });
    try {
      await browser.send('Runtime.enable', {}, session);
      await browser.send('Page.enable', {}, session);
      const loaded = new Promise<void>((res) => browser.onEvent((ev) => { if (ev.sessionId === session && ev.method === 'Page.loadEventFired') res(); }));
      await browser.send('Page.navigate', { url: `${server.origin}/` }, session);
      await loaded;
      const out = await browser.evaluate(session, 'globalThis.__lmtransfer ?? Promise.reject(new Error("the page script did not run"))', TIMEOUT_MS - 30_000)
        .catch((e: Error) => { throw new Error(`${e.message}\nuncaught page errors: ${pageErrors.join('\n') || 'none'}`); });
      return out as PageOutcome<T>;
    } finally {
      await browser.send('Target.closeTarget', { targetId: await targetOf(browser, session) }).catch(() => undefined);
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function targetOf(browser: Chromium, session: string): Promise<string> {
  const r = await browser.send('Target.getTargetInfo', {}, session);
  return String((r.targetInfo as { targetId: string }).targetId);
}

/** The result of one thread, or a failure naming the thread and the page's error. */
function resultOf<T>(page: PageOutcome<T>, where: 'main' | 'worker'): T {
  const o = page[where];
  if (!o.ok) throw new Error(`in the browser's ${where === 'main' ? 'main thread' : 'Web Worker'}: ${o.error}`);
  return o.result;
}

/**
 * Compare two lists of doubles: how many are bitwise equal, and the largest difference relative to
 * the largest magnitude of the reference (a norm-wise measure: the rounding error of a sum or
 * product is bounded by the sizes of its terms, not by the result, so this is what a tolerance
 * derived from rounding bounds).
 */
function compare(got: number[], want: number[]): { bitwise: number; total: number; relDiff: number } {
  expect(got.length).toBe(want.length);
  let bitwise = 0;
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) bitwise++;
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
    if (!Number.isFinite(got[i]) && !Object.is(got[i], want[i])) maxDiff = Infinity;
  }
  return { bitwise, total: want.length, relDiff: scale > 0 ? maxDiff / scale : maxDiff };
}

/**
 * Norm-wise tolerances per group, from rounding: `u = 2^-53 ≈ 1.1e-16`. They apply when the two
 * sides ran different WebAssembly builds (relaxed SIMD with fused multiply-adds against portable
 * SIMD); with the same build every group must be bitwise equal (below). world: dot products of
 * length ≤ 64 (error ≤ 64u ≈ 7e-15); logPartition: a length-64 product and a log-sum-exp over
 * 10,000 words (≤ (64 + log2 10,000)u relative to |logit|max, ≈ 1e-14); trainLosses/trainParams:
 * four SGD steps of such products, each a contraction-free update (≈ 4 · 2000 · u ≈ 1e-12); fitAnchor:
 * a least-squares solve, whose error is the condition number (≤ 1e3 here) times the above. Each
 * limit leaves a 100× margin; a wrong kernel gives O(1) differences. trainAdam: Adam's first steps
 * move each parameter by about ±lr whatever the size of its gradient (m̂/√v̂ ≈ sign g), so a gradient
 * within rounding of 0 can flip a step: at most 2·lr per step and parameter, 4 · 2 · 1e-3 = 8e-3
 * absolute. The group holds the four losses too (≈ 7.6 ≈ log 2000, the largest magnitude, so the
 * norm-wise measure divides by ≥ 1: max|θ| is 0.55); a flip happens only where the gradient is at
 * rounding level, so its first-order effect on the next losses is nil. Limit 8e-3.
 */
const TOLERANCE: Record<string, number> = {
  rng: 0, world: 1e-12, logPartition: 1e-12, trainLosses: 1e-10, trainParams: 1e-10, trainAdam: 8e-3, fitAnchor: 1e-8,
};

/** The build `getBackendInfo().build` must report where the engine does (not) validate relaxed SIMD. */
const expectedBuild = (relaxed: boolean): string => (relaxed ? 'wasm-relaxed-simd' : 'wasm-simd');

describe('lmtransfer in headless Chromium (main thread and Web Worker)', () => {
  it('createRng with fork gives the same seeds and draws as Node, bitwise', async () => {
    const page = await runPage<RngResult>('rngPage.ts');
    expect(page.crossOriginIsolated).toBe(true);
    const want = runRngScenario();
    for (const where of ['main', 'worker'] as const) {
      const got = resultOf(page, where);
      expect(got.forkSeeds).toEqual(want.forkSeeds);
      expect(compare(got.draws, want.draws)).toEqual({ bitwise: want.draws.length, total: want.draws.length, relDiff: 0 });
    }
  }, TIMEOUT_MS);

  it('createRng/fork, generateWorld, train, fitAnchor and logPartition (1024 × 10,000) agree with Node', async () => {
    const page = await runPage<ScenarioResult>('fullPage.ts');
    expect(page.crossOriginIsolated).toBe(true);
    const want = runScenario();
    const report: string[] = [`${(await launched()).version}, hardwareConcurrency ${page.hardwareConcurrency}`, `Node: ${JSON.stringify(want.backend)}`];
    try {
      // Node's build is the one its engine supports (on Node 20 after the library turned on V8's
      // relaxed-SIMD flag, which the probe runs after).
      report.push(`Node: build ${want.backend.build}, engine validates relaxed SIMD: ${want.relaxedSimdValidates}`);
      expect({ where: 'node', build: want.backend.build }).toEqual({ where: 'node', build: expectedBuild(want.relaxedSimdValidates) });
      for (const where of ['main', 'worker'] as const) {
        const got = resultOf(page, where);
        report.push(`browser ${where}: ${JSON.stringify(got.backend)}`);
        report.push(`browser ${where}: build ${got.backend.build}, engine validates relaxed SIMD: ${got.relaxedSimdValidates}`);
        // getBackendInfo reports what ran: WebAssembly SIMD, in the build this engine supports
        // (relaxed SIMD wherever the engine validates it, else portable SIMD); one thread on the main
        // thread (browsers forbid Atomics.wait there); in a cross-origin-isolated worker, Web Worker
        // threads as soon as the machine has two cores (1024 × 10,000 is far above every threading
        // threshold).
        expect({ where, backend: got.backend.backend, wasmSimd: got.backend.wasmSimd }).toEqual({ where, backend: 'wasm', wasmSimd: true });
        expect({ where, build: got.backend.build, fma: got.backend.fma }).toEqual({ where, build: expectedBuild(got.relaxedSimdValidates), fma: got.relaxedSimdValidates });
        if (where === 'main') expect({ where, threads: got.backend.threads, workersStarted: got.backend.workersStarted }).toEqual({ where, threads: 1, workersStarted: 0 });
        else if (page.hardwareConcurrency >= 2) expect({ where, threaded: got.backend.threads >= 2 && got.backend.workersStarted >= 1 }).toEqual({ where, threaded: true });
        expect(got.forkSeeds).toEqual(want.forkSeeds);
        // The same WebAssembly build must give the same bits for every group, whatever the thread
        // counts (1 on the main thread, 2 in the worker and in Node): the kernels split work so that
        // each result is summed in the same order on any count, and no result depends on a
        // JavaScript Math function whose last bits differ between engines (fastExp's 2^(j/64) table
        // is written out: Node 20's Math.pow(2, j/64) is one ulp off the nearest double at 9 of the
        // 64 entries, e.g. j = 30: 1.3839098819638318 in Node 20, 1.383909881963832 in Chromium 150,
        // which made train differ in the last bits; Adam's 1 − βᵗ is computed without Math.pow).
        const sameKernels = got.backend.build === want.backend.build;
        for (const [group, tol] of Object.entries(TOLERANCE)) {
          const c = compare(got.groups[group], want.groups[group]);
          report.push(`  ${where} ${group}: ${c.bitwise}/${c.total} bitwise, norm-wise difference ${c.relDiff.toExponential(2)} (limit ${tol}${sameKernels ? ', same build: bitwise' : ''}), ${got.ms[group]?.toFixed(0) ?? '-'} ms (Node ${want.ms[group]?.toFixed(0) ?? '-'} ms)`);
          expect({ group, withinTolerance: c.relDiff <= tol }).toEqual({ group, withinTolerance: true });
          if (group === 'rng' || sameKernels) expect({ where, group, bitwise: c.bitwise }).toEqual({ where, group, bitwise: c.total });
        }
      }
    } finally {
      console.log(report.join('\n'));
    }
  }, TIMEOUT_MS);
});
