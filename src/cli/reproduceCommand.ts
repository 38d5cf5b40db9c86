/**
 * `lmtransfer reproduce`: run the three experiments of docs/theory.md#8-the-experiments, then write `results.json`, one
 * SVG figure per experiment and `report.md` into the output directory.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentProgress } from '../experiments/progressTypes.js';
import type { ReproduceResults } from '../experiments/results.js';
import { reproducePreset, type ReproducePreset } from '../experiments/reproducePresets.js';
import type { CliIO } from './io.js';
import { countOf, flagError, parseFlags, wantsHelp } from './flags.js';
import { createProgressBar } from './progress.js';

export const REPRODUCE_HELP = `lmtransfer reproduce: run the paper's experiments, write figures and a report

Usage:
  lmtransfer reproduce [--out DIR] [--quick] [--seed S] [--json] [--quiet]

Options:
  --out DIR    directory for results.json, report.md and the .svg figures
               (default: results; created if missing)
  --quick      small sizes: about 15 s on two cores (the full run took 41 s on a
               loaded two-core machine)
  --seed S     seed of every random choice (default: 2023); the same seed gives
               the same numbers
  --json       print the summary as one JSON object on stdout (the files are
               written as usual)
  --quiet      no progress on stderr and no summary on stdout: only the files
               and the exit code
  -h, --help   this text

Examples:
  lmtransfer reproduce --quick
  lmtransfer reproduce --out runs/seed7 --seed 7
  lmtransfer reproduce --quick --json --quiet > summary.json

Experiments (docs/theory.md#8-the-experiments):
  E1  anchor MSE against the self-normalisation baseline as the top k words are
      excluded
  E2  excess loss against downstream error along one pre-training run, with
      Theorem 1's bound
  E3  Theorem 2's rare-word instance: L against the excess loss and the error
      floor

Progress goes to stderr (a bar on a terminal, plain lines otherwise); the
summary to stdout.
`;

/** The file names written into the output directory. */
export const REPRODUCE_FILES = {
  results: 'results.json',
  report: 'report.md',
  anchorSweep: 'e1-anchor-sweep.svg',
  transferCurve: 'e2-transfer-curve.svg',
  rareWordSweep: 'e3-rare-word.svg',
} as const;

interface ReproduceFlags {
  out: string;
  quick: boolean;
  seed: string;
  json: boolean;
  quiet: boolean;
}

const FLAGS = {
  out: { type: 'string' },
  quick: { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readFlags(argv: readonly string[]): ReproduceFlags {
  const { values } = parseFlags('reproduce', argv, FLAGS);
  const out = values.out ?? 'results';
  if (out.trim() === '') throw flagError('--out', 'must be a directory path; got an empty string');
  const seed = values.seed ?? '2023';
  if (seed.trim() === '') throw flagError('--seed', 'must be a non-empty string or number; got an empty string');
  return { out, quick: values.quick ?? false, seed, json: values.json ?? false, quiet: values.quiet ?? false };
}

/** Create the output directory (and its parents), or say in the flag's words why it cannot be. */
function makeOutputDirectory(out: string): string {
  const outDir = resolve(out);
  let st;
  try {
    st = statSync(outDir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw flagError('--out', `must be a directory; '${out}' is a file`);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of the path is a file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw flagError('--out', `cannot create the directory '${out}': ${why} (${code})`);
  }
  return outDir;
}

/**
 * Run `lmtransfer reproduce` with the arguments after the command name; returns the exit code (0
 * when the files were written, whatever the verdicts; bad usage throws a `UsageError`, which the
 * dispatcher turns into exit code 2).
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const io = { stdout: (t: string) => void out.push(t), stderr: () => undefined, isTTY: false };
 * await reproduceCommand(['--help'], io); // → 0
 * out.join('').includes('--quick'); // → true
 * ```
 */
export async function reproduceCommand(argv: readonly string[], io: CliIO, internal: { preset?: ReproducePreset } = {}): Promise<number> {
  // Help wins over every other flag, valid or not: `--json --help` shows the help.
  if (wantsHelp(argv)) {
    io.stdout(REPRODUCE_HELP);
    return 0;
  }
  const flags = readFlags(argv);
  const outDir = makeOutputDirectory(flags.out);
  // --quiet silences progress; the experiments still report to a sink that drops everything.
  const progressIO: CliIO = flags.quiet ? { stdout: () => undefined, stderr: () => undefined, isTTY: false } : io;
  const say = (text: string): void => {
    if (!flags.quiet && !flags.json) io.stdout(text);
  };

  // `internal.preset` lets the tests run the whole command at tiny sizes; the command line cannot set it.
  const preset = internal.preset ?? reproducePreset(flags.quick ? 'quick' : 'full', flags.seed);
  const t0 = performance.now();
  const progress = (label: string): { onProgress: (p: ExperimentProgress) => void; finish: (s?: string) => void } => {
    let bar: ReturnType<typeof createProgressBar> | undefined;
    return {
      onProgress: (p) => {
        bar ??= createProgressBar(progressIO, label, p.total);
        bar.update(p.done, p.detail);
      },
      finish: (s) => bar?.finish(s),
    };
  };

  // The experiments are loaded here, not at the top, so that `lmtransfer --help` stays instant.
  const { runAnchorSweep } = await import('../experiments/runAnchorSweep.js');
  const { runTransferCurve } = await import('../experiments/runTransferCurve.js');
  const { runRareWordSweep } = await import('../experiments/runRareWordSweep.js');
  const { renderFigure } = await import('../experiments/renderFigure.js');
  const { renderReport } = await import('../experiments/renderReport.js');
  const { assessResults } = await import('../experiments/assessResults.js');

  say(`lmtransfer reproduce: ${flags.quick ? 'quick' : 'full'} run, seed ${flags.seed}, writing to ${outDir}\n`);
  const p1 = progress('E1 anchor sweep');
  const anchorSweep = runAnchorSweep({ ...preset.anchorSweep, onProgress: p1.onProgress });
  p1.finish();
  const p2 = progress('E2 transfer curve');
  const transferCurve = runTransferCurve({ ...preset.transferCurve, onProgress: p2.onProgress });
  p2.finish();
  const p3 = progress('E3 rare-word sweep');
  const rareWordSweep = runRareWordSweep({ ...preset.rareWordSweep, onProgress: p3.onProgress });
  p3.finish();

  const results: ReproduceResults = {
    formatVersion: 1,
    seed: flags.seed,
    quick: flags.quick,
    seconds: (performance.now() - t0) / 1000,
    anchorSweep,
    transferCurve,
    rareWordSweep,
  };
  const f = REPRODUCE_FILES;
  writeFileSync(join(outDir, f.results), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, f.anchorSweep), renderFigure(anchorSweep));
  writeFileSync(join(outDir, f.transferCurve), renderFigure(transferCurve));
  writeFileSync(join(outDir, f.rareWordSweep), renderFigure(rareWordSweep));
  writeFileSync(join(outDir, f.report), renderReport(results, { anchorSweep: f.anchorSweep, transferCurve: f.transferCurve, rareWordSweep: f.rareWordSweep }));

  const verdicts = assessResults(results);
  const count = (st: string): number => verdicts.filter((v) => v.status === st).length;
  const files = Object.values(f).map((n) => join(flags.out, n));
  if (flags.json) {
    const summary = {
      command: 'reproduce',
      version: 1,
      seed: flags.seed,
      quick: flags.quick,
      outDir,
      files,
      seconds: results.seconds,
      checks: { total: verdicts.length, agree: count('agrees'), disagree: count('disagrees'), notes: count('note') },
      verdicts,
    };
    io.stdout(JSON.stringify(summary, null, 2) + '\n');
    return 0;
  }
  say(
    `wrote ${files.join(', ')}\n` +
      `${countOf(verdicts.length, 'check')} against the theory: ${count('agrees')} agree${count('agrees') === 1 ? 's' : ''}, ${count('disagrees')} disagree${count('disagrees') === 1 ? 's' : ''}, ${countOf(count('note'), 'note')} (${results.seconds.toFixed(1)} s)\n`,
  );
  for (const v of verdicts.filter((x) => x.status !== 'agrees')) say(`  ${v.experiment} ${v.status}: ${v.claim}\n`);
  return 0;
}
