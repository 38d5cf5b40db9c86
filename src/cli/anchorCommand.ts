/**
 * `lmtransfer anchor`: fit the anchor vector of docs/theory.md#3-the-anchor-vector on a real model's output embeddings
 * `V` and final hidden states `H`, for a sweep of bulks (all words but the top `k`), with the
 * self-normalisation baseline beside it; or fit `log Z_B` computed elsewhere; or split the work
 * into shards and merge them (`lmtransfer anchor merge`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AnchorAccumulator } from '../anchor/AnchorAccumulator.js';
import { allWords } from '../anchor/allWords.js';
import { bulkExcluding } from '../anchor/bulkExcluding.js';
import { bulkLogPartitionsKernel } from '../anchor/bulkLogPartitions.js';
import { fitAnchorFromLogPartition } from '../anchor/fitAnchorFromLogPartition.js';
import { meanWordProbabilitiesKernel, topWords } from '../anchor/meanWordProbabilities.js';
import { perContextBulkLogPartitionsKernel } from '../anchor/perContextBulkLogPartitions.js';
import { FormatError } from '../errors/errors.js';
import { checkFiniteMatrix } from '../internal/check.js';
import type { Matrix } from '../matrix/matrix.js';
import { type LoadedMatrix, loadMatrix, mismatch } from './anchorFiles.js';
import { type AnchorRow, fitToJSON, renderAnchorTable } from './anchorReport.js';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';
import { createProgressBar } from './progress.js';

export const ANCHOR_HELP = `lmtransfer anchor: fit the anchor vector of a model (log Z_B(s) ≈ ⟨v0, h(s)⟩ + c)

Usage:
  lmtransfer anchor --embeddings V.npy|model.safetensors[:tensor] --hidden H.npy [options]
  lmtransfer anchor --log-partition z.npy --hidden H.npy [options]
  lmtransfer anchor merge shard1.json shard2.json ... [--ridge L] [--rcond R] [--json]

Inputs:
  --embeddings FILE     output word embeddings V, n × d: a .npy file (float16/32/64, 2-D) or a
                        safetensors file; 'model.safetensors:NAME' picks a tensor, otherwise the
                        first of lm_head.weight, embed_out.weight, wte.weight,
                        transformer.wte.weight, model.embed_tokens.weight that exists
  --hidden FILE         final hidden states H, m × d (.npy, 2-D): one row per context, after the
                        final layer norm (the vectors the model multiplies by V)
  --log-partition FILE  instead of --embeddings: log Z_B(s) computed elsewhere (e.g. on a GPU), a
                        .npy of length m (one bulk) or m × K (K bulks, one per column); only fits
  --weights FILE        context weights, a 1-D .npy of length m (default: uniform)

Fit:
  --exclude-top LIST    comma-separated k values, e.g. 0,10,100,1000: the bulk B is every word but
                        the k of highest mean probability over the contexts (default 0: all words)
  --exclude-top-per-context LIST
                        comma-separated k values: for each context, every word but that context's
                        own k largest logits. The bulk then varies with the context, which puts
                        these rows outside Theorem 1 (see the note under the table); without
                        --exclude-top only these rows are fitted
  --holdout F           fraction of contexts in [0, 1) held out and scored, not fitted (default 0)
  --seed S              seed of the hold-out split (default 0)
  --ridge L             ridge penalty L ≥ 0 on the anchor: minimise mean e² + L·‖v0‖² (default 0)
  --rcond R             relative eigenvalue tolerance in (0, 1) for the numerical rank
                        (default: from the precision of H; see fitAnchor)

Output:
  --json                print a JSON document instead of the table (anchors included; Infinity
                        and NaN written as strings)
  --quiet               no progress lines on stderr
  -h, --help            this text

Splitting the work across machines:
  --shard I/N           process only the I-th of N equal contiguous blocks of contexts (1 ≤ I ≤ N)
                        and write its sufficient statistics (one accumulator per bulk) as JSON
                        instead of a table; the top-k words are still ranked on all of H, so that
                        every shard uses the same bulk. Not combinable with --holdout.
  --out FILE            with --shard: write the JSON to FILE instead of stdout
  merge FILE...         merge shard files (same inputs, distinct shards) and print the fits;
                        the maximum residual needs the data, so merged fits show it as —.
                        A shard records its inputs (shapes, dtypes, SHA-256 of the data), its
                        --weights and its --ridge/--rcond; merge refuses shards that differ in them

The table shows, per bulk: |B|, the rank of the design [h 1] (d+1 when the anchor is identified,
d after a final layer norm), its condition number, ‖v0‖, the intercept c, the anchor fit's RMSE
beside the self-normalisation baseline (the best constant: the standard deviation of log Z_B),
R², and max|e|; then the same on held-out contexts.

Progress goes to stderr on long runs. Exit codes: 0 success; 2 bad usage, a missing or corrupt
file, or mismatched dimensions (with a one-line reason); 1 internal error.
`;

export const ANCHOR_MERGE_HELP = `lmtransfer anchor merge: merge shard files written by 'lmtransfer anchor --shard I/N'

Usage:
  lmtransfer anchor merge shard1.json shard2.json ... [--ridge L] [--rcond R] [--json]

The shards must come from the same inputs and bulks and have distinct shard numbers; a missing
shard is reported on stderr and the fit uses the contexts present. Shards of different runs (another
shard count, d, bulk or vocabulary; --embeddings against --log-partition; other input files, shapes
or dtypes; other --weights, or none against some; another --ridge or --rcond) are refused with exit
code 2. Files may sit at different paths on different machines: their contents are compared by
SHA-256 (shards of older versions, which record no checksums, --weights or options, are compared by
file name and shape, with a warning on stderr).

Options:
  --ridge L             ridge penalty L ≥ 0 on the anchor (default: the shards' --ridge, else 0)
  --rcond R             relative eigenvalue tolerance in (0, 1) for the numerical rank
                        (default: the shards' --rcond, else from the precision of H)
  --json                print a JSON document instead of the table
  -h, --help            this text
`;

const SHARD_FORMAT = 'lmtransfer.anchorShard';
/** 1: no inputs.weights, sha256 or options; 2: all three. */
const SHARD_VERSION = 2;

function parse(
  argv: readonly string[],
  options: ParseArgsConfig['options'],
  positionals: boolean,
  cmd: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    // Node's parseArgs messages may span lines (an ambiguous value explains '--flag=-1' on its third
    // line); the reason must stay on one line.
    throw new UsageError(`${(e as Error).message.split('\n').join(' ')} (try '${cmd} --help')`);
  }
}

function numberFlag(flag: string, v: string | undefined, dflt: number, check: (x: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  const x = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`option '${flag}' must be ${expected}; got '${v}'`);
  return x;
}

interface AnchorFlags {
  embeddings?: string;
  hidden?: string;
  logPartition?: string;
  weights?: string;
  excludeTop: number[];
  excludeTopGiven: boolean;
  excludeTopPerContext: number[];
  holdout: number;
  seed: string;
  ridge: number;
  rcond?: number;
  json: boolean;
  quiet: boolean;
  shard?: { index: number; count: number };
  out?: string;
  help: boolean;
}

/** The flags of `lmtransfer anchor` (the test checks that `ANCHOR_HELP` documents each of them). */
export const ANCHOR_OPTIONS = {
  embeddings: { type: 'string' },
  hidden: { type: 'string' },
  'log-partition': { type: 'string' },
  weights: { type: 'string' },
  'exclude-top': { type: 'string' },
  'exclude-top-per-context': { type: 'string' },
  holdout: { type: 'string' },
  seed: { type: 'string' },
  ridge: { type: 'string' },
  rcond: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  shard: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The flags of `lmtransfer anchor merge`. */
export const ANCHOR_MERGE_OPTIONS = {
  ridge: { type: 'string' },
  rcond: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parseFlags(argv: readonly string[]): AnchorFlags {
  const { values } = parse(argv, ANCHOR_OPTIONS, false, 'lmtransfer anchor');
  const v = values;
  const str = (k: string): string | undefined => v[k] as string | undefined;
  const flags: AnchorFlags = {
    embeddings: str('embeddings'),
    hidden: str('hidden'),
    logPartition: str('log-partition'),
    weights: str('weights'),
    excludeTop: [0],
    excludeTopGiven: str('exclude-top') !== undefined,
    excludeTopPerContext: [],
    holdout: numberFlag('--holdout', str('holdout'), 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'),
    seed: str('seed') ?? '0',
    ridge: numberFlag('--ridge', str('ridge'), 0, (x) => x >= 0, 'a number ≥ 0'),
    json: v.json === true,
    quiet: v.quiet === true,
    out: str('out'),
    help: v.help === true,
  };
  if (flags.help) return flags;
  if (str('rcond') !== undefined) flags.rcond = numberFlag('--rcond', str('rcond'), 0, (x) => x > 0 && x < 1, 'a number in (0, 1)');
  if (flags.seed.trim() === '') throw new UsageError("option '--seed' must be a non-empty string or number; got an empty string");
  const kList = (flag: string): number[] | undefined => {
    const text = str(flag);
    if (text === undefined) return undefined;
    const parts = text.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^[0-9]+$/.test(p))) throw new UsageError(`option '--${flag}' must be a comma-separated list of integers ≥ 0, e.g. 0,10,100; got '${text}'`);
    return [...new Set(parts.map(Number))];
  };
  const et = kList('exclude-top');
  const etc = kList('exclude-top-per-context');
  if (et) flags.excludeTop = et;
  if (etc) {
    flags.excludeTopPerContext = etc;
    // Only the per-context rows were asked for: no fixed-bulk row unless --exclude-top says so.
    if (!et) flags.excludeTop = [];
  }
  const sh = str('shard');
  if (sh !== undefined) {
    const m = /^([0-9]+)\/([0-9]+)$/.exec(sh.trim());
    const i = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n >= 1) || !(i >= 1 && i <= n)) throw new UsageError(`option '--shard' must be I/N with 1 ≤ I ≤ N, e.g. 2/4; got '${sh}'`);
    flags.shard = { index: i, count: n };
  }
  if (!flags.hidden) throw new UsageError("option '--hidden H.npy' is required (try 'lmtransfer anchor --help')");
  if (!flags.embeddings === !flags.logPartition) {
    throw new UsageError(flags.embeddings ? "options '--embeddings' and '--log-partition' exclude each other" : "one of '--embeddings V.npy' or '--log-partition z.npy' is required (try 'lmtransfer anchor --help')");
  }
  if (flags.logPartition && flags.excludeTopGiven) throw new UsageError("option '--exclude-top' needs '--embeddings' (with '--log-partition' the bulks are the columns of z)");
  if (flags.logPartition && flags.excludeTopPerContext.length > 0) throw new UsageError("option '--exclude-top-per-context' needs '--embeddings' (with '--log-partition' the bulks are the columns of z)");
  if (flags.shard && flags.holdout > 0) throw new UsageError("options '--shard' and '--holdout' exclude each other (a shard keeps statistics, not contexts)");
  if (flags.out !== undefined && !flags.shard) throw new UsageError("option '--out' needs '--shard I/N'");
  return flags;
}

/**
 * Multiply-adds above which a step shows progress on stderr: about a second of work on one core
 * (the pure-TypeScript product runs at roughly 1–5 GFLOP/s; bench/README.md).
 */
export const ANCHOR_PROGRESS_WORK = 1e9;

/** Options of `anchorCommand` for tests: `progressWork` replaces `ANCHOR_PROGRESS_WORK`. */
export interface AnchorCommandOptions {
  progressWork?: number;
}

/** Run-time progress: bars on stderr only when the work is long. */
function progressFor(io: CliIO, quiet: boolean, work: number, threshold: number) {
  const show = !quiet && work > threshold;
  return {
    pass(label: string, total: number): ((done: number) => void) & { finish(): void } {
      if (!show) return Object.assign(() => {}, { finish: () => {} });
      const bar = createProgressBar(io, label, total);
      return Object.assign((done: number) => bar.update(done), { finish: () => bar.finish() });
    },
    note(text: string): void {
      if (show) io.stderr(`${text}\n`);
    },
  };
}

interface Bulks {
  rows: { label: string; excludeTop?: number; perContextTop?: number; bulkSize?: number; excludedWords?: Int32Array }[];
  zetas: Float64Array[];
}

/**
 * Compute log Z_B for every requested bulk: one pass for the ranking (if any k > 0), one for the
 * fixed-bulk sums, one for the per-context ones (`perContext`, each context's own top k left out).
 */
function computeBulks(V: Matrix, H: Matrix, ks: number[], perContext: number[], rows: [number, number], prog: ReturnType<typeof progressFor>): Bulks {
  const n = V.rows;
  for (const k of ks) {
    if (k >= n) throw new UsageError(`option '--exclude-top' must list values below the vocabulary size ${n} (the bulk would be empty); got ${k}`);
  }
  for (const k of perContext) {
    if (k >= n) throw new UsageError(`option '--exclude-top-per-context' must list values below the vocabulary size ${n} (the bulk would be empty); got ${k}`);
  }
  const needRank = ks.some((k) => k > 0);
  const Hpart: Matrix = rows[0] === 0 && rows[1] === H.rows ? H : { rows: rows[1] - rows[0], cols: H.cols, data: H.data.subarray(rows[0] * H.cols, rows[1] * H.cols) };
  let ranking: Int32Array | null = null;
  let logZAll: Float64Array | null = null;
  if (needRank) {
    const p = prog.pass(`anchor: ranking words by mean probability over ${H.rows} contexts`, H.rows);
    const mp = meanWordProbabilitiesKernel('lmtransfer anchor', V, H, null, (done) => p(done));
    p.finish();
    ranking = topWords(mp.mean, Math.max(...ks));
    if (Hpart === H) logZAll = mp.logPartition;
    else logZAll = mp.logPartition.slice(rows[0], rows[1]);
  }
  const out: Bulks = { rows: [], zetas: [] };
  const pending: { j: number; bulk: Int32Array }[] = [];
  for (const k of ks) {
    const excluded = ranking ? ranking.subarray(0, k) : new Int32Array(0);
    out.rows.push({ label: `k=${k}`, excludeTop: k, bulkSize: n - k, excludedWords: excluded.slice() });
    if (k === 0 && logZAll) out.zetas.push(logZAll);
    else {
      out.zetas.push(new Float64Array(0));
      pending.push({ j: out.zetas.length - 1, bulk: k === 0 ? allWords(n) : bulkExcluding(excluded, n) });
    }
  }
  if (pending.length > 0) {
    const p = prog.pass(`anchor: log Z_B for ${pending.length} bulk${pending.length > 1 ? 's' : ''} over ${Hpart.rows} contexts`, Hpart.rows);
    const z = bulkLogPartitionsKernel('lmtransfer anchor', V, Hpart, pending.map((q) => q.bulk), (done) => p(done));
    p.finish();
    pending.forEach((q, t) => (out.zetas[q.j] = z[t]));
  }
  if (perContext.length > 0) {
    const p = prog.pass(`anchor: log Z without each context's own top k (k = ${perContext.join(', ')}) over ${Hpart.rows} contexts`, Hpart.rows);
    const z = perContextBulkLogPartitionsKernel('lmtransfer anchor', V, Hpart, perContext, (done) => p(done));
    p.finish();
    perContext.forEach((k, t) => {
      out.rows.push({ label: `k=${k} per context`, perContextTop: k, bulkSize: n - k });
      out.zetas.push(z[t]);
    });
  }
  return out;
}

/** What a report or shard records of an input file; with `hash`, the SHA-256 of its decoded values. */
function describe(l: LoadedMatrix, hash = false): InputDescription {
  const { data } = l.matrix;
  const out: InputDescription = { source: l.source, rows: l.matrix.rows, cols: l.matrix.cols, dtype: data instanceof Float32Array ? 'float32' : 'float64' };
  if (hash) out.sha256 = createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
  return out;
}

interface InputDescription {
  source: string;
  rows: number;
  cols: number;
  dtype: string;
  sha256?: string;
}

/**
 * Run `lmtransfer anchor` with the arguments after the command name; returns the exit code. Bad
 * usage and bad files throw `LmTransferError`s, which the dispatcher turns into exit code 2.
 *
 * @example
 * ```ts
 * await anchorCommand(['--embeddings', 'V.npy', '--hidden', 'H.npy', '--exclude-top', '0,10'], processIO());
 * ```
 */
export async function anchorCommand(argv: readonly string[], io: CliIO, opts: AnchorCommandOptions = {}): Promise<number> {
  const threshold = opts.progressWork ?? ANCHOR_PROGRESS_WORK;
  await Promise.resolve();
  if (argv[0] === 'merge') return mergeCommand(argv.slice(1), io);
  const flags = parseFlags(argv);
  if (flags.help) {
    io.stdout(ANCHOR_HELP);
    return 0;
  }
  const hidden = loadMatrix('--hidden', flags.hidden!);
  const H = hidden.matrix;
  if (H.rows === 0 || H.cols === 0) throw new FormatError(`--hidden ${hidden.source}: must have at least one row and one column; got ${H.rows}×${H.cols}`);
  checkFiniteMatrix(`--hidden ${hidden.source}`, 'H', H);
  let weights: Float64Array | Float32Array | undefined;
  let weightsFile: LoadedMatrix | undefined;
  if (flags.weights) {
    const w = loadMatrix('--weights', flags.weights, { allow1d: true });
    if (w.ndim !== 1) throw new FormatError(`--weights ${w.source}: must be a 1-D array; got shape (${w.matrix.rows}, ${w.matrix.cols})`);
    if (w.matrix.rows !== H.rows) throw mismatch(`--weights has ${w.matrix.rows} entries but --hidden has ${H.rows} rows (one weight per context)`);
    weights = w.matrix.data;
    weightsFile = w;
  }
  // A shard records checksums, so that merge can tell whether every shard read the same files.
  const hash = flags.shard !== undefined;
  const m = H.rows;
  const rows: [number, number] = flags.shard ? [Math.floor(((flags.shard.index - 1) * m) / flags.shard.count), Math.floor((flags.shard.index * m) / flags.shard.count)] : [0, m];

  let inputs: Record<string, unknown>;
  let bulks: Bulks;
  if (flags.embeddings) {
    const emb = loadMatrix('--embeddings', flags.embeddings, { allowSafetensors: true });
    const V = emb.matrix;
    if (V.cols !== H.cols) throw mismatch(`--embeddings ${emb.source} is ${V.rows}×${V.cols} but --hidden ${hidden.source} is ${H.rows}×${H.cols}; the number of columns d must agree`);
    checkFiniteMatrix(`--embeddings ${emb.source}`, 'V', V);
    const prog = progressFor(io, flags.quiet, V.rows * H.rows * H.cols, threshold);
    bulks = computeBulks(V, H, flags.excludeTop, flags.excludeTopPerContext, rows, prog);
    inputs = { embeddings: describe(emb, hash), hidden: describe(hidden, hash) };
  } else {
    const zf = loadMatrix('--log-partition', flags.logPartition!, { allow1d: true });
    if (zf.matrix.rows !== H.rows) throw mismatch(`--log-partition ${zf.source} has ${zf.matrix.rows} rows but --hidden ${hidden.source} has ${H.rows}; one value per context`);
    checkFiniteMatrix(`--log-partition ${zf.source}`, 'z', zf.matrix);
    const K = zf.matrix.cols;
    bulks = { rows: [], zetas: [] };
    for (let j = 0; j < K; j++) {
      const z = new Float64Array(rows[1] - rows[0]);
      for (let i = rows[0]; i < rows[1]; i++) z[i - rows[0]] = zf.matrix.data[i * K + j];
      bulks.rows.push({ label: zf.ndim === 1 ? 'z' : `z[:,${j}]` });
      bulks.zetas.push(z);
    }
    inputs = { logPartition: describe(zf, hash), hidden: describe(hidden, hash) };
  }
  const Hpart: Matrix = rows[0] === 0 && rows[1] === m ? H : { rows: rows[1] - rows[0], cols: H.cols, data: H.data.subarray(rows[0] * H.cols, rows[1] * H.cols) };
  const wPart = weights ? weights.subarray(rows[0], rows[1]) : undefined;
  const prog = progressFor(io, flags.quiet, H.cols * H.cols * H.cols * 20, threshold);

  if (flags.shard) {
    const entries = bulks.rows.map((r, j) => {
      const acc = new AnchorAccumulator(H.cols).addLogPartition(Hpart, bulks.zetas[j], wPart ? { weights: wPart } : undefined);
      return { label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, excludedWords: r.excludedWords ? Array.from(r.excludedWords) : undefined, accumulator: acc.toJSON() };
    });
    // Version 2 adds inputs.weights (null: uniform), the inputs' sha256 and the fit options.
    const doc = {
      format: SHARD_FORMAT,
      version: SHARD_VERSION,
      shard: flags.shard,
      contexts: { start: rows[0], end: rows[1], total: m },
      inputs: { ...inputs, weights: weightsFile ? describe(weightsFile, true) : null },
      options: { ridge: flags.ridge, rcond: flags.rcond ?? null },
      results: entries,
    };
    const text = JSON.stringify(doc) + '\n';
    if (flags.out) {
      writeFileSync(flags.out, text);
      io.stderr(`lmtransfer anchor: shard ${flags.shard.index}/${flags.shard.count} (contexts ${rows[0]}–${rows[1] - 1} of ${m}) written to ${flags.out}\n`);
    } else io.stdout(text);
    return 0;
  }

  const results: AnchorRow[] = [];
  for (let j = 0; j < bulks.rows.length; j++) {
    prog.note(`anchor: fitting ${bulks.rows[j].label} (d = ${H.cols})`);
    const fit = fitAnchorFromLogPartition(H, bulks.zetas[j], { holdout: flags.holdout, seed: flags.seed, ridge: flags.ridge, rcond: flags.rcond, weights });
    const r = bulks.rows[j];
    results.push({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit });
  }
  const nFit = results[0]?.fit.n ?? m;
  const options = { holdout: flags.holdout, seed: flags.seed, ridge: flags.ridge, rcond: flags.rcond ?? null, weights: flags.weights ?? null };
  if (flags.json) {
    io.stdout(JSON.stringify({ command: 'anchor', inputs, options, contexts: { total: m, fitted: nFit, heldOut: m - nFit }, results: results.map((r) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit: fitToJSON(r.fit) })) }, null, 2) + '\n');
    return 0;
  }
  const src = flags.embeddings ? `V ${(inputs.embeddings as { rows: number }).rows}×${H.cols} from ${(inputs.embeddings as { source: string }).source}` : `log Z_B from ${(inputs.logPartition as { source: string }).source}`;
  io.stdout(`lmtransfer anchor: ${src}; H ${m}×${H.cols} from ${hidden.source}\n`);
  io.stdout(`contexts: ${nFit} fitted${m - nFit > 0 ? `, ${m - nFit} held out (holdout ${flags.holdout}, seed ${flags.seed})` : ''}; ridge ${flags.ridge}${flags.weights ? `; weights from ${flags.weights}` : ''}\n\n`);
  io.stdout(renderAnchorTable(results, H.cols));
  return 0;
}

interface ShardDoc {
  path: string;
  shard: { index: number; count: number };
  contexts: { start: number; end: number; total: number };
  version?: unknown;
  inputs?: Record<string, InputDescription | null | undefined>;
  options?: { ridge?: number; rcond?: number | null };
  results: { label: string; excludeTop?: number; perContextTop?: number; bulkSize?: number; excludedWords?: number[]; accumulator: unknown }[];
}

function readShard(path: string): ShardDoc {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`merge: cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`merge ${path}: must be a shard file (JSON); got a parse error: ${(e as Error).message.split('\n')[0]}`);
  }
  const d = doc as Partial<ShardDoc> & { format?: unknown };
  if (doc === null || typeof doc !== 'object' || d.format !== SHARD_FORMAT || !Array.isArray(d.results) || !d.shard || !d.contexts) {
    throw new FormatError(`merge ${path}: must be a shard file written by 'lmtransfer anchor --shard' (format '${SHARD_FORMAT}'); got something else`);
  }
  const posInt = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  const sh = d.shard as Partial<ShardDoc['shard']>;
  const cx = d.contexts as Partial<ShardDoc['contexts']>;
  if (!posInt(sh.index) || !posInt(sh.count) || sh.count! < 1 || sh.index! < 1 || sh.index! > sh.count! || !posInt(cx.total) || !posInt(cx.start) || !posInt(cx.end)) {
    throw new FormatError(`merge ${path}: must have 'shard' {index, count} with 1 ≤ index ≤ count and 'contexts' {start, end, total} of integers; got ${JSON.stringify({ shard: d.shard, contexts: d.contexts })}`);
  }
  // Typed loosely: the file may hold anything.
  const op: { ridge?: unknown; rcond?: unknown } | null | undefined = d.options;
  if (op !== undefined) {
    const ok = op !== null && typeof op === 'object' && typeof op.ridge === 'number' && op.ridge >= 0 && (op.rcond === null || (typeof op.rcond === 'number' && op.rcond > 0 && op.rcond < 1));
    if (!ok) throw new FormatError(`merge ${path}: must have 'options' {ridge, rcond} with ridge ≥ 0 and rcond null or in (0, 1); got ${JSON.stringify(op)}`);
  }
  return { ...(d as ShardDoc), path };
}

const INPUT_FLAGS: [key: string, flag: string][] = [
  ['embeddings', '--embeddings'],
  ['logPartition', '--log-partition'],
  ['hidden', '--hidden'],
  ['weights', '--weights'],
];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Whether a shard records what version 2 added: inputs.weights, the sha256 of every input and the options. */
function recordsEverything(doc: ShardDoc): boolean {
  const inp = doc.inputs;
  if (!isObject(inp) || !isObject(doc.options) || !('weights' in inp)) return false;
  return INPUT_FLAGS.every(([k]) => inp[k] === undefined || inp[k] === null || (isObject(inp[k]) && typeof inp[k].sha256 === 'string'));
}

/** The reason why one shard was made with --embeddings and the other with --log-partition, or null. */
function modeMismatch(doc: ShardDoc, first: ShardDoc): string | null {
  const mode = (x: unknown): string | undefined => (!isObject(x) ? undefined : isObject(x.embeddings) ? '--embeddings' : isObject(x.logPartition) ? '--log-partition' : undefined);
  const [ma, mb] = [mode(doc.inputs), mode(first.inputs)];
  return ma && mb && ma !== mb ? `merge: '${doc.path}' was made with ${ma} but '${first.path}' with ${mb}: not the same run` : null;
}

const shape = (x: InputDescription): string => `${x.rows}×${x.cols} ${x.dtype}`;

/**
 * The one-line reason why `doc` and `first` were not accumulated alike (another input mode, input
 * file, shape, dtype, --weights, --ridge or --rcond), or null. A field that either shard does not
 * record (an older shard file) is not compared.
 */
function incompatibility(doc: ShardDoc, first: ShardDoc): string | null {
  const a = isObject(doc.inputs) ? doc.inputs : {};
  const b = isObject(first.inputs) ? first.inputs : {};
  const why = modeMismatch(doc, first);
  if (why !== null) return why;
  for (const [key, flag] of INPUT_FLAGS) {
    if (!(key in a) || !(key in b)) continue;
    const [x, y] = [a[key], b[key]];
    if (!isObject(x) || !isObject(y)) {
      if (isObject(x) !== isObject(y)) {
        const w = (v: unknown): string => (isObject(v) ? `with ${flag} ${String(v.source)}` : `without ${flag}`);
        return `merge: '${doc.path}' was made ${w(x)} but '${first.path}' ${w(y)}: not the same run`;
      }
      continue;
    }
    if (x.rows !== y.rows || x.cols !== y.cols || x.dtype !== y.dtype) {
      return `merge: '${doc.path}' has ${flag} ${x.source} ${shape(x)} but '${first.path}' has ${y.source} ${shape(y)}: not the same inputs`;
    }
    if (typeof x.sha256 === 'string' && typeof y.sha256 === 'string') {
      if (x.sha256 !== y.sha256) return `merge: '${doc.path}' has ${flag} ${x.source} (sha256 ${x.sha256.slice(0, 12)}…) but '${first.path}' has ${y.source} (sha256 ${y.sha256.slice(0, 12)}…): not the same data`;
    } else if (basename(String(x.source)) !== basename(String(y.source))) {
      // Without checksums (older shards), the file name: the directories may differ across machines.
      return `merge: '${doc.path}' has ${flag} ${x.source} but '${first.path}' has ${y.source}: not the same inputs`;
    }
  }
  const oa = isObject(doc.options) ? doc.options : undefined;
  const ob = isObject(first.options) ? first.options : undefined;
  if (oa && ob) {
    for (const [key, flag] of [['ridge', '--ridge'], ['rcond', '--rcond']] as const) {
      const [x, y] = [oa[key] ?? null, ob[key] ?? null];
      const show = (v: number | null): string => (v === null ? `no ${flag}` : `${flag} ${v}`);
      if (x !== y) return `merge: '${doc.path}' was made with ${show(x)} but '${first.path}' with ${show(y)}: not the same run`;
    }
  }
  return null;
}

async function mergeCommand(argv: readonly string[], io: CliIO): Promise<number> {
  await Promise.resolve();
  const { values, positionals } = parse(argv, ANCHOR_MERGE_OPTIONS, true, 'lmtransfer anchor merge');
  const v = values;
  if (v.help === true) {
    io.stdout(ANCHOR_MERGE_HELP);
    return 0;
  }
  const ridgeFlag = v.ridge === undefined ? undefined : numberFlag('--ridge', v.ridge as string, 0, (x) => x >= 0, 'a number ≥ 0');
  const rcondFlag = v.rcond === undefined ? undefined : numberFlag('--rcond', v.rcond as string, 0, (x) => x > 0 && x < 1, 'a number in (0, 1)');
  if (positionals.length === 0) throw new UsageError("merge needs at least one shard file (try 'lmtransfer anchor merge --help')");
  const docs = positionals.map(readShard);
  const first = docs[0];
  const seen = new Set<number>();
  for (const doc of docs) {
    if (doc.shard.count !== first.shard.count || doc.contexts.total !== first.contexts.total) {
      throw new UsageError(`merge: '${doc.path}' is shard ${doc.shard.index}/${doc.shard.count} of ${doc.contexts.total} contexts but '${first.path}' is of ${first.shard.count} shards of ${first.contexts.total}: not the same run`);
    }
    if (seen.has(doc.shard.index)) throw new UsageError(`merge: shard ${doc.shard.index}/${doc.shard.count} is given twice (its contexts would count twice)`);
    seen.add(doc.shard.index);
    const mode = modeMismatch(doc, first);
    if (mode !== null) throw new UsageError(mode);
    const labels = doc.results.map((r) => r.label).join(',');
    if (labels !== first.results.map((r) => r.label).join(',')) throw new UsageError(`merge: '${doc.path}' has bulks ${labels} but '${first.path}' has ${first.results.map((r) => r.label).join(',')}`);
    doc.results.forEach((r, j) => {
      if (r.bulkSize !== first.results[j].bulkSize) throw new UsageError(`merge: '${doc.path}' has |B| = ${r.bulkSize} for ${r.label} but '${first.path}' has ${first.results[j].bulkSize} (different vocabularies?)`);
      const a = JSON.stringify(r.excludedWords ?? null);
      if (a !== JSON.stringify(first.results[j].excludedWords ?? null)) throw new UsageError(`merge: '${doc.path}' and '${first.path}' excluded different top words for ${r.label} (different V or H?)`);
    });
  }
  const older = docs.filter((d) => !recordsEverything(d));
  if (older.length > 0) {
    io.stderr(`lmtransfer anchor merge: warning: ${older.map((d) => `'${d.path}'`).join(', ')} ${older.length > 1 ? 'record' : 'records'} no --weights, --ridge/--rcond or input checksums (written by an older lmtransfer); those were not compared\n`);
  }
  if (seen.size < first.shard.count) {
    const missing = Array.from({ length: first.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    io.stderr(`lmtransfer anchor merge: warning: shards ${missing.join(', ')} of ${first.shard.count} are missing; fitting on the contexts present\n`);
  }
  const accs = first.results.map((r, j) => {
    let acc: AnchorAccumulator | null = null;
    for (const doc of docs) {
      let part: AnchorAccumulator;
      try {
        part = AnchorAccumulator.fromJSON(doc.results[j].accumulator);
      } catch (e) {
        throw new FormatError(`merge ${doc.path}: ${(e as Error).message}`);
      }
      if (acc && part.dim !== acc.dim) throw mismatch(`'${doc.path}' has d = ${part.dim} but the other shards have d = ${acc.dim}`);
      acc = acc ? acc.merge(part) : part;
    }
    return acc!;
  });
  // After the checks above (whose messages say more about d, bulks and vocabularies): what else
  // changes the statistics or the fit.
  for (const doc of docs) {
    const why = incompatibility(doc, first);
    if (why !== null) throw new UsageError(why);
  }
  // The fit options: the merge's flags, else those the shards were made with (all equal by now).
  const recorded = docs.find((d) => isObject(d.options))?.options;
  const ridge = ridgeFlag ?? (typeof recorded?.ridge === 'number' ? recorded.ridge : 0);
  const rcond = rcondFlag ?? (typeof recorded?.rcond === 'number' ? recorded.rcond : undefined);
  const dim = accs[0]?.dim ?? 0;
  const rows: AnchorRow[] = first.results.map((r, j) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit: accs[j].fit({ ridge, rcond }) }));
  const total = rows[0]?.fit.n ?? 0;
  if (v.json === true) {
    io.stdout(JSON.stringify({ command: 'anchor merge', shards: docs.map((d) => d.path), options: { ridge, rcond: rcond ?? null }, contexts: { fitted: total }, results: rows.map((r) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit: fitToJSON(r.fit) })) }, null, 2) + '\n');
    return 0;
  }
  io.stdout(`lmtransfer anchor merge: ${docs.length} shard${docs.length > 1 ? 's' : ''} of ${first.shard.count}, ${total} contexts, d = ${dim}; ridge ${ridge}\n\n`);
  io.stdout(renderAnchorTable(rows, dim));
  return 0;
}
