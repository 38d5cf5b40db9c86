/**
 * The lmtransfer benchmark suite (`npm run bench`, i.e. `tsx bench/run.ts`).
 *
 * Workloads (the project's reference sizes): the logits product Z = H·Vᵀ (1024×256 · 256×10,000), the
 * fused softmax cross-entropy forward and backward on 1024×10,000 logits, `logPartition` over a
 * bulk of 9,990 words (1024 contexts, n = 10,000, d = 256), a training step of the log-linear
 * model (B = 1024, d = 256, n = 10,000: Z, CE, dV = Gᵀ·H, dH = G·V, SGD; for lmtransfer, the step
 * of the public `train` on a `createLearner({ dtype })` learner), each in float64 and float32, and
 * the small step (B = 256, d = 32, n = 1000).
 *
 * Candidates, in one process run: lmtransfer (WebAssembly SIMD with 2 threads and with 1, and the
 * TypeScript kernels with 2 threads and with 1), @tensorflow/tfjs with its cpu and wasm backends (float32 only), ml-matrix
 * (float64 only) and NumPy through bench/numpy_peer.py (skipped with a message when unavailable).
 * For each task all candidates are prepared, warmed up once, then timed in interleaved rounds
 * (round r runs every candidate once), so that a burst of load on this shared machine hits all of
 * them alike. Slow candidates (over 2 s per run) get fewer rounds. Medians and min–max are
 * reported, with ratios to each peer.
 *
 * Options: --quick (small sizes, 3 rounds: a smoke test), --rounds N, --tasks matmul,ce,...,
 * --dtypes float32,float64, --no-peers, --no-numpy, --no-tfjs, --no-mlmatrix, --out DIR.
 * Output: DIR/latest.json and DIR/latest.md (DIR = bench/results); a full-size run also rewrites
 * the results section of bench/README.md.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBackendInfo, setBackend, setThreads } from '../src/backend/index.js';
import { selfCandidate } from './lib/self.js';
import { tfjsCandidate } from './lib/tfjsPeer.js';
import { mlMatrixCandidate } from './lib/mlMatrixPeer.js';
import { NumpyPeer } from './lib/numpyPeer.js';
import { flopsOf, type Candidate, type DType, type Size, type Task } from './lib/types.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('--quick');
const ROUNDS = Number(opt('--rounds') ?? (QUICK ? 3 : 7));
const SLOW_MS = 2000;
const SLOW_ROUNDS = QUICK ? 2 : 2;
const OUT = opt('--out') ?? join(process.cwd(), 'bench', 'results');
const TASKS = (opt('--tasks')?.split(',') ?? ['matmul', 'ce', 'logPartition', 'step', 'smallStep']) as Task[];
const DTYPES = (opt('--dtypes')?.split(',') ?? ['float32', 'float64']) as DType[];
const PEERS = !flag('--no-peers');

const FULL: Record<Task, Size> = {
  matmul: { B: 1024, d: 256, n: 10_000, bulk: 10_000 },
  ce: { B: 1024, d: 256, n: 10_000, bulk: 10_000 },
  logPartition: { B: 1024, d: 256, n: 10_000, bulk: 9_990 },
  step: { B: 1024, d: 256, n: 10_000, bulk: 10_000 },
  smallStep: { B: 256, d: 32, n: 1000, bulk: 1000 },
};
const SMALL: Record<Task, Size> = {
  matmul: { B: 128, d: 64, n: 1500, bulk: 1500 },
  ce: { B: 128, d: 64, n: 1500, bulk: 1500 },
  logPartition: { B: 128, d: 64, n: 1500, bulk: 1490 },
  step: { B: 128, d: 64, n: 1500, bulk: 1500 },
  smallStep: { B: 64, d: 16, n: 300, bulk: 300 },
};
const SIZES = QUICK ? SMALL : FULL;

const TASK_TITLE: Record<Task, string> = {
  matmul: 'Logits product Z = H·Vᵀ',
  ce: 'Fused softmax cross-entropy, forward + backward',
  logPartition: 'logPartition over a bulk (fused: logits never stored)',
  step: 'Training step (Z, CE, dV = Gᵀ·H, dH = G·V, SGD; lmtransfer: a step of train())',
  smallStep: 'Small training step (lmtransfer: a step of train())',
};

function sizeText(task: Task, s: Size): string {
  if (task === 'matmul') return `${s.B}×${s.d} · ${s.d}×${s.n}`;
  if (task === 'ce') return `${s.B}×${s.n} logits`;
  if (task === 'logPartition') return `m = ${s.B}, bulk = ${s.bulk} of n = ${s.n}, d = ${s.d}`;
  return `B = ${s.B}, d = ${s.d}, n = ${s.n}`;
}

interface Row {
  task: Task;
  dtype: DType;
  candidate: string;
  family: string;
  times: number[];
  median: number;
  min: number;
  max: number;
  gflops: number | null;
  error?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = loadavg();
  const candidates: Candidate[] = [
    selfCandidate('lmtransfer wasm 2T', 'wasm', 2),
    selfCandidate('lmtransfer wasm 1T', 'wasm', 1),
    selfCandidate('lmtransfer js 2T', 'js', 2),
    selfCandidate('lmtransfer js 1T', 'js', 1),
  ];
  let numpy: NumpyPeer | null = null;
  const notes: string[] = [];
  if (PEERS && !flag('--no-tfjs')) {
    candidates.push(tfjsCandidate('tfjs-wasm', 'wasm'), tfjsCandidate('tfjs-wasm (Vᵀ stored)', 'wasm', true), tfjsCandidate('tfjs-cpu', 'cpu'));
  }
  if (PEERS && !flag('--no-mlmatrix')) candidates.push(mlMatrixCandidate());
  if (PEERS && !flag('--no-numpy')) {
    numpy = new NumpyPeer();
    if (await numpy.start()) {
      candidates.push(numpy.candidate('float32'), numpy.candidate('float64'));
      notes.push(`NumPy ${numpy.info?.numpy} (${numpy.info?.blas}) ran as a child process.`);
    } else {
      notes.push(`NumPy peer skipped: ${numpy.skipReason}`);
      console.log(`NumPy peer skipped: ${numpy.skipReason}`);
      numpy = null;
    }
  }
  const rows: Row[] = [];
  for (const task of TASKS) {
    for (const dtype of DTYPES) {
      const size = SIZES[task];
      const flops = flopsOf(task, size);
      console.log(`\n${TASK_TITLE[task]} — ${sizeText(task, size)}, ${dtype}`);
      const active = candidates.filter((c) => c.supports(task, dtype));
      const prepared: { c: Candidate; runner: Awaited<ReturnType<Candidate['prepare']>>; rounds: number; row: Row }[] = [];
      for (const c of active) {
        const row: Row = { task, dtype, candidate: c.name, family: c.family, times: [], median: NaN, min: NaN, max: NaN, gflops: null };
        rows.push(row);
        try {
          await c.activate?.();
          const runner = await c.prepare(task, dtype, size);
          // Warm-up (JIT, WebAssembly tier-up, thread start); its time decides slow or not.
          const t0 = performance.now();
          await runner.run();
          const warm = numpy && c.family === 'numpy' ? (c as unknown as { lastMs: number }).lastMs : performance.now() - t0;
          if (c.family === 'numpy') await new Promise((r) => setTimeout(r, 250));
          // A slow candidate's warm-up run counts as its first sample (JIT warm-up is negligible at
          // seconds per run), and it gets fewer rounds.
          const slow = warm > SLOW_MS;
          if (slow) row.times.push(warm);
          const rounds = slow ? Math.min(ROUNDS, SLOW_ROUNDS) - 1 : ROUNDS;
          prepared.push({ c, runner, rounds, row });
        } catch (e) {
          row.error = String(e);
          console.log(`  ${c.name}: failed (${row.error})`);
        }
      }
      for (let r = 0; r < ROUNDS; r++) {
        for (const p of prepared) {
          if (r >= p.rounds) continue;
          try {
            await p.c.activate?.();
            const t0 = performance.now();
            await p.runner.run();
            const ms = p.c.family === 'numpy' ? (p.c as unknown as { lastMs: number }).lastMs : performance.now() - t0;
            p.row.times.push(ms);
            // OpenBLAS worker threads busy-wait for a while after each call (THREAD_TIMEOUT = 28, i.e.
            // 2^28 cycles, in OpenBLAS's Makefile.rule: about 70 ms here) and would otherwise steal a
            // core from the next candidate.
            if (p.c.family === 'numpy') await new Promise((r) => setTimeout(r, 250));
          } catch (e) {
            p.row.error = String(e);
          }
        }
      }
      for (const p of prepared) {
        p.runner.dispose?.();
        const t = p.row.times;
        if (t.length) {
          p.row.median = median(t);
          p.row.min = Math.min(...t);
          p.row.max = Math.max(...t);
          p.row.gflops = flops ? flops / p.row.median / 1e6 : null;
        }
        console.log(`  ${p.c.name.padEnd(24)} ${fmtMs(p.row.median).padStart(9)}  (${fmtMs(p.row.min)} – ${fmtMs(p.row.max)}, ${t.length} runs)${p.row.gflops ? `  ${p.row.gflops.toFixed(1)} GFLOP/s` : ''}`);
      }
    }
  }
  numpy?.stop();
  setBackend('auto');
  setThreads('auto');
  const load1 = loadavg();
  const info = getBackendInfo();
  if (info.backend === 'wasm') {
    notes.push(`lmtransfer's WebAssembly kernels ran in their ${info.fma ? 'relaxed-SIMD (fused multiply-add)' : 'portable SIMD (multiply then add)'} build: ${info.fmaReason}.`);
  }
  const machine = {
    cpu: cpus()[0]?.model ?? '?',
    cpus: cpus().length,
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    backend: getBackendInfo(),
    loadavg1Before: load0[0],
    loadavg1After: load1[0],
  };
  const report = { date: started.toISOString(), quick: QUICK, rounds: ROUNDS, machine, notes, sizes: SIZES, rows };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  const md = markdown(report);
  writeFileSync(join(OUT, 'latest.md'), md);
  if (!QUICK && OUT === join(process.cwd(), 'bench', 'results') && TASKS.length === 5 && DTYPES.length === 2 && PEERS) updateReadme(md);
  console.log(`\nwrote ${join(OUT, 'latest.json')} and latest.md`);
}

function ratio(a: Row | undefined, b: Row | undefined): string {
  if (!a || !b || !Number.isFinite(a.median) || !Number.isFinite(b.median)) return '—';
  const r = b.median / a.median;
  return r >= 1 ? `${r.toFixed(r >= 10 ? 0 : 1)}× faster` : `${(1 / r).toFixed(1)}× slower`;
}

function markdown(rep: { date: string; quick: boolean; rounds: number; machine: Record<string, unknown>; notes: string[]; rows: Row[] }): string {
  const m = rep.machine as { cpu: string; cpus: number; memGB: number; node: string; loadavg1Before: number; loadavg1After: number };
  const out: string[] = [];
  out.push(`Run ${rep.date}${rep.quick ? ' (quick: small sizes)' : ''}: ${m.cpu}, ${m.cpus} vCPUs, ${m.memGB} GB, Node ${m.node}; ` +
    `1-min load average ${m.loadavg1Before.toFixed(2)} before, ${m.loadavg1After.toFixed(2)} after; up to ${rep.rounds} interleaved rounds after one warm-up run.`);
  for (const n of rep.notes) out.push(`\n${n}`);
  const sizes = rep.quick ? SMALL : FULL;
  for (const task of TASKS) {
    out.push(`\n### ${TASK_TITLE[task]}: ${sizeText(task, sizes[task])}\n`);
    out.push('| dtype | candidate | median | min – max | runs | GFLOP/s | lmtransfer wasm 2T vs it |');
    out.push('|---|---|---|---|---|---|---|');
    for (const dtype of DTYPES) {
      const rs = rep.rows.filter((r) => r.task === task && r.dtype === dtype);
      const ours = rs.find((r) => r.candidate === 'lmtransfer wasm 2T');
      for (const r of rs) {
        out.push(`| ${dtype} | ${r.candidate} | ${r.error && !r.times.length ? `failed: ${r.error.slice(0, 60)}` : fmtMs(r.median)} | ${fmtMs(r.min)} – ${fmtMs(r.max)} | ${r.times.length} | ${r.gflops ? r.gflops.toFixed(1) : '—'} | ${r === ours ? '—' : ratio(ours, r)} |`);
      }
    }
  }
  out.push('\n### Targets (issue 7)\n');
  const get = (task: Task, dtype: DType, cand: string) => rep.rows.find((r) => r.task === task && r.dtype === dtype && r.candidate === cand);
  const med = (r: Row | undefined) => (r && Number.isFinite(r.median) ? r.median : NaN);
  const lines: [string, string, boolean | null][] = [];
  for (const dtype of DTYPES) {
    const ours = med(get('step', dtype, 'lmtransfer wasm 2T'));
    const peers = ['tfjs-wasm', 'tfjs-cpu', 'ml-matrix'].map((c) => med(get('step', dtype, c))).filter(Number.isFinite);
    if (peers.length) {
      const best = Math.min(...peers);
      lines.push([`step ${dtype}: ≥ 10× faster than the fastest JS peer`, `${(best / ours).toFixed(1)}×`, best / ours >= 10]);
    }
    const np = med(get('step', dtype, dtype === 'float32' ? 'numpy f32' : 'numpy f64'));
    const lim = dtype === 'float32' ? 2 : 2.5;
    if (Number.isFinite(np)) lines.push([`step ${dtype}: within ${lim}× of NumPy ${dtype}`, `${(ours / np).toFixed(2)}×`, ours / np <= lim]);
    const npl = med(get('logPartition', dtype, dtype === 'float32' ? 'numpy f32' : 'numpy f64'));
    const lp = med(get('logPartition', dtype, 'lmtransfer wasm 2T'));
    if (Number.isFinite(npl)) lines.push([`logPartition ${dtype}: within 1.5× of NumPy${dtype === 'float32' ? '' : ' (reported)'}`, `${(lp / npl).toFixed(2)}×`, dtype === 'float32' ? lp / npl <= 1.5 : null]);
    const nps = med(get('smallStep', dtype, dtype === 'float32' ? 'numpy f32' : 'numpy f64'));
    const ss = med(get('smallStep', dtype, 'lmtransfer wasm 2T'));
    if (Number.isFinite(nps)) lines.push([`small step ${dtype}: within 2× of NumPy`, `${(ss / nps).toFixed(2)}×`, ss / nps <= 2]);
  }
  const mm = get('matmul', 'float32', 'lmtransfer wasm 2T');
  if (mm?.gflops) lines.push(['logits product float32, wasm 2 threads: ≥ 75 GFLOP/s', `${mm.gflops.toFixed(1)} GFLOP/s`, mm.gflops >= 75]);
  const js = get('matmul', 'float64', 'lmtransfer js 2T') ?? get('matmul', 'float64', 'lmtransfer js 1T');
  if (js?.gflops) lines.push([`logits product, pure TypeScript (${js.candidate}): ≥ 8 GFLOP/s with 2 threads`, `${js.gflops.toFixed(1)} GFLOP/s`, js.gflops >= 8]);
  // The TypeScript row passes (fused cross-entropy, logPartition) and the step split across threads.
  for (const task of ['ce', 'logPartition', 'step'] as Task[]) {
    for (const dtype of DTYPES) {
      const one = med(get(task, dtype, 'lmtransfer js 1T'));
      const two = med(get(task, dtype, 'lmtransfer js 2T'));
      if (Number.isFinite(one) && Number.isFinite(two)) lines.push([`${task} ${dtype}, pure TypeScript: 2 threads against 1`, `${(one / two).toFixed(2)}× faster`, null]);
    }
  }
  out.push('| target | measured | met |');
  out.push('|---|---|---|');
  for (const [t, v, ok] of lines) out.push(`| ${t} | ${v} | ${ok === null ? '(report)' : ok ? 'yes' : 'no'} |`);
  return out.join('\n') + '\n';
}

function updateReadme(md: string): void {
  const path = join(process.cwd(), 'bench', 'README.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, text.slice(0, i + start.length) + '\n' + md + text.slice(j));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
