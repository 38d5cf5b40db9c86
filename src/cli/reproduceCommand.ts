/**
 * `lmtransfer reproduce`: run the three experiments of docs/theory.md#8-the-experiments, then write `results.json`, one
 * SVG figure per experiment and `report.md` into the output directory.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExperimentProgress } from '../experiments/progressTypes.js';
import type { ReproduceResults } from '../experiments/results.js';
import { reproducePreset, type ReproducePreset } from '../experiments/reproducePresets.js';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';
import { createProgressBar } from './progress.js';

export const REPRODUCE_HELP = `lmtransfer reproduce: run the paper's experiments and write results, figures and a report

Usage:
  lmtransfer reproduce [--out DIR] [--quick] [--seed S]

Options:
  --out DIR    directory for results.json, report.md and the .svg figures (default: results)
  --quick      small sizes: finishes in under a minute on two cores (the full run takes minutes)
  --seed S     seed of every random choice (default: 2023); the same seed gives the same numbers
  -h, --help   this text

Experiments (docs/theory.md#8-the-experiments):
  E1  anchor MSE against the self-normalisation baseline as the top k words are excluded
  E2  excess loss against downstream error along one pre-training run, with Theorem 1's bound
  E3  Theorem 2's rare-word instance: L against the excess loss and the error floor

Progress goes to stderr (a bar on a terminal, plain lines otherwise); the summary to stdout.
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
  help: boolean;
}

function parseFlags(argv: readonly string[]): ReproduceFlags {
  let values: { out?: string; quick?: boolean; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        quick: { type: 'boolean' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // parseArgs throws a TypeError with a code such as ERR_PARSE_ARGS_UNKNOWN_OPTION; its message is the reason.
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (try 'lmtransfer reproduce --help')`);
  }
  const out = values.out ?? 'results';
  if (out.trim() === '') throw new UsageError("option '--out' must be a directory path; got an empty string");
  const seed = values.seed ?? '2023';
  if (seed.trim() === '') throw new UsageError("option '--seed' must be a non-empty string or number; got an empty string");
  return { out, quick: values.quick ?? false, seed, help: values.help ?? false };
}

/**
 * Run `lmtransfer reproduce` with the arguments after the command name; returns the exit code (0
 * when the files were written, whatever the verdicts; bad usage throws a `UsageError`, which the
 * dispatcher turns into exit code 2).
 *
 * @example
 * ```ts
 * const code = await reproduceCommand(['--quick', '--out', '/tmp/r'], processIO());
 * ```
 */
export async function reproduceCommand(argv: readonly string[], io: CliIO, internal: { preset?: ReproducePreset } = {}): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    io.stdout(REPRODUCE_HELP);
    return 0;
  }
  const outDir = resolve(flags.out);
  let st;
  try {
    st = statSync(outDir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new UsageError(`option '--out' must be a directory; '${flags.out}' is a file`);
  mkdirSync(outDir, { recursive: true });

  // `internal.preset` lets the tests run the whole command at tiny sizes; the command line cannot set it.
  const preset = internal.preset ?? reproducePreset(flags.quick ? 'quick' : 'full', flags.seed);
  const t0 = performance.now();
  const progress = (label: string): { onProgress: (p: ExperimentProgress) => void; finish: (s?: string) => void } => {
    let bar: ReturnType<typeof createProgressBar> | undefined;
    return {
      onProgress: (p) => {
        bar ??= createProgressBar(io, label, p.total);
        bar.update(p.done, p.detail);
      },
      finish: (s) => bar?.finish(s),
    };
  };

  // The experiments are loaded here, not at the top, so that `lmtransfer --help` stays instant.
  const { runAnchorSweep } = await import('../experiments/runAnchorSweep.js');
  const { runTransferCurve } = await import('../experiments/runTransferCurve.js');
  const { runRareWordSweep } = await import('../experiments/runRareWordSweep.js');
  const { renderFigure } = await import('../figures/renderFigure.js');
  const { renderReport } = await import('../experiments/renderReport.js');
  const { assessResults } = await import('../experiments/assessResults.js');

  io.stdout(`lmtransfer reproduce: ${flags.quick ? 'quick' : 'full'} run, seed ${flags.seed}, writing to ${outDir}\n`);
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
  const count = (s: string): number => verdicts.filter((v) => v.status === s).length;
  io.stdout(
    `wrote ${Object.values(f).map((n) => join(flags.out, n)).join(', ')}\n` +
      `${verdicts.length} checks against the theory: ${count('agrees')} agree, ${count('disagrees')} disagree, ${count('note')} notes (${results.seconds.toFixed(1)} s)\n`,
  );
  for (const v of verdicts.filter((x) => x.status !== 'agrees')) io.stdout(`  ${v.experiment} ${v.status}: ${v.claim}\n`);
  return 0;
}
