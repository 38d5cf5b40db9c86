/**
 * `lmtransfer anchor` (not `merge`): open the files, run the sweep through the library
 * (`anchorSweepChecked`, or the shared-design fit for `--log-partition`), and print the table, the
 * JSON audit document, or a shard file.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { AnchorAccumulator } from '../../anchor/AnchorAccumulator.js';
import { ANCHOR_SHARD_FORMAT, ANCHOR_SHARD_VERSION, type AnchorShardInput } from '../../anchor/anchorShard.js';
import { anchorSweepChecked, rankWordsChecked, sweepLogPartitionsChecked } from '../../anchor/anchorSweep.js';
import { holdoutSplit } from '../../anchor/fitAnchorKernel.js';
import type { HiddenRowSource } from '../../anchor/hiddenRowSource.js';
import { type AnchorProgress, chunkRowsFor, fitSharedDesign, readCheckedRows } from '../../anchor/sharedDesignFit.js';
import type { AnchorFit } from '../../anchor/types.js';
import { FormatError } from '../../core/errors.js';
import { contextRoles } from '../../experiments/contextRoles.js';
import { checkFiniteMatrix } from '../../core/check.js';
import type { FileMatrix } from '../../io/files.js';
import { writeNpy } from '../../io/writeNpy.js';
import type { FloatArray, Matrix } from '../../core/matrix.js';
import { type LoadedMatrix, loadMatrix, mismatch, openMatrix } from '../anchorFiles.js';
import { type AnchorRow, fitToJSON, renderAnchorTable } from '../anchorReport.js';
import type { CliIO } from '../io.js';
import { checkOutputFile, countOf, flagError } from '../flags.js';
import { createProgressBar, formatDuration } from '../progress.js';
import { ANCHOR_HELP } from './help.js';
import { type AnchorFlags, parseAnchorFlags } from './flags.js';
import { libraryVersion } from './version.js';

/**
 * Multiply-adds above which a run shows progress on stderr: about a second of work on one core
 * (the pure-TypeScript product runs at roughly 1–5 GFLOP/s).
 */
export const ANCHOR_PROGRESS_WORK = 1e9;

/**
 * Options of `anchorCommand` for tests: `progressWork` replaces `ANCHOR_PROGRESS_WORK`; `chunkRows`
 * the rows per chunk of H; `progressIntervalMs` the least time between two redraws of a bar on a
 * terminal (default 100).
 */
export interface AnchorCommandOptions {
  progressWork?: number;
  chunkRows?: number;
  progressIntervalMs?: number;
}

/** What a report or shard records of an input; with `hash`, the SHA-256 of its decoded values. */
interface InputDescription extends AnchorShardInput {
  /** The file the data is read from (a shard of a sharded checkpoint), when not the same as `source`. */
  file?: string;
}

function hashOf(data: FloatArray, h = createHash('sha256')): ReturnType<typeof createHash> {
  return h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function describeLoaded(l: LoadedMatrix, hash: boolean): InputDescription {
  const out: InputDescription = { source: l.source, rows: l.matrix.rows, cols: l.matrix.cols, dtype: l.storedDType };
  if (l.path !== l.source && !l.source.startsWith(`${l.path}:`)) out.file = l.path;
  if (hash) out.sha256 = hashOf(l.matrix.data).digest('hex');
  return out;
}

function describeFile(f: FileMatrix): InputDescription {
  const out: InputDescription = { source: f.source, rows: f.rows, cols: f.cols, dtype: f.storedDType };
  if (f.path !== f.source && !f.source.startsWith(`${f.path}:`)) out.file = f.path;
  return out;
}

/** Progress bars by phase, shown only when the work is long; the total time at the end. */
function progressFor(io: CliIO, quiet: boolean, work: number, threshold: number, labels: Record<string, readonly [full: string, short: string]>, minIntervalMs?: number) {
  const show = !quiet && work > threshold;
  let bar: ReturnType<typeof createProgressBar> | null = null;
  let phase = '';
  const t0 = performance.now();
  const onProgress: AnchorProgress = (p, done, total) => {
    if (!show) return;
    if (p !== phase) {
      bar?.finish();
      phase = p;
      const [label, shortLabel] = labels[p] ?? [`anchor: ${p}`, `anchor: ${p}`];
      bar = createProgressBar(io, label, total, { minIntervalMs, shortLabel });
    }
    bar!.update(done);
  };
  return {
    onProgress,
    note(text: string): void {
      if (show) io.stderr(`${text}\n`);
    },
    end(): void {
      bar?.finish();
      bar = null;
      phase = '';
      if (show) io.stderr(`anchor: total ${formatDuration((performance.now() - t0) / 1000)}\n`);
    },
  };
}

/** The rows `[start, end)` of `src` as a source of their own. */
function rowRange(src: HiddenRowSource, start: number, end: number): HiddenRowSource {
  return { rows: end - start, cols: src.cols, storedDType: src.storedDType, readRows: (a, b) => src.readRows(start + a, start + b) };
}

/** Check the weights here, so that every message names --weights (not a library argument). */
function checkWeightsFlag(w: LoadedMatrix, m: number): Float64Array | Float32Array {
  if (w.ndim !== 1) throw new FormatError(`--weights: must be a 1-D array, one weight per context; got shape (${w.matrix.rows}, ${w.matrix.cols}) in ${w.source}`);
  if (w.matrix.rows !== m) throw mismatch('--weights', `${w.source} has ${countOf(w.matrix.rows, 'entry', 'entries')} but --hidden has ${countOf(m, 'row')} (one weight per context)`);
  const data = w.matrix.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]) || data[i] < 0) throw flagError('--weights', `must hold finite weights ≥ 0; got ${data[i]} at [${i}] of ${w.source}`);
  }
  return data;
}

function checkPartWeightsFlag(weights: FloatArray | null, train: Int32Array, test: Int32Array): void {
  if (!weights) return;
  for (const [part, rows] of [['training', train], ['held-out', test]] as const) {
    if (rows.length === 0) continue;
    let s = 0;
    for (let t = 0; t < rows.length; t++) s += weights[rows[t]];
    if (!(s > 0)) throw flagError('--weights', `must be positive on some ${part} context; got all zeros on the ${countOf(rows.length, `${part} context`)}`);
  }
}

const quote = (a: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/**
 * Run `lmtransfer anchor` with the arguments after the command name; returns the exit code. Bad
 * usage and bad files throw `LmTransferError`s, which the dispatcher turns into exit code 2.
 *
 * @example
 * ```ts
 * await anchorRun(['--embeddings', 'V.npy', '--hidden', 'H.npy', '--exclude-top', '0,10'], processIO());
 * ```
 */
export async function anchorRun(argv: readonly string[], io: CliIO, opts: AnchorCommandOptions = {}): Promise<number> {
  await Promise.resolve();
  const tStart = performance.now();
  const threshold = opts.progressWork ?? ANCHOR_PROGRESS_WORK;
  const flags: AnchorFlags = parseAnchorFlags(argv);
  if (flags.help) {
    io.stdout(ANCHOR_HELP);
    return 0;
  }
  // Output paths are checked before any file is read: a typo in --residuals should not cost the run.
  if (flags.residuals !== undefined) checkOutputFile('--residuals', flags.residuals);
  if (flags.out !== undefined) checkOutputFile('--out', flags.out);
  const hiddenFile = openMatrix('--hidden', flags.hidden!);
  // Every consumer below finishes with a chunk before reading the next: one buffer for all of them.
  hiddenFile.reuseBuffer = true;
  const m = hiddenFile.rows;
  const d = hiddenFile.cols;
  if (m === 0 || d === 0) throw new FormatError(`--hidden: must have at least one row and one column; got ${m}×${d} in ${hiddenFile.source}`);
  const hName = `--hidden ${hiddenFile.source}`;
  let weights: Float64Array | Float32Array | null = null;
  let weightsFile: LoadedMatrix | undefined;
  if (flags.weights) {
    weightsFile = loadMatrix('--weights', flags.weights, { allow1d: true });
    weights = checkWeightsFlag(weightsFile, m);
  }
  // The split, checked here so that a bad --holdout names the flag.
  const nTest = Math.round(flags.holdout * m);
  if (flags.holdout > 0 && (nTest < 1 || m - nTest < 1)) {
    throw flagError('--holdout', `must leave at least one context in each part of the ${countOf(m, 'context')}; got ${flags.holdout} (${nTest} held out, ${m - nTest} for training)`);
  }
  const { train, test } = holdoutSplit('lmtransfer anchor', m, flags.holdout, flags.seed);
  checkPartWeightsFlag(weights, train, test);
  const shardRows: [number, number] = flags.shard ? [Math.floor(((flags.shard.index - 1) * m) / flags.shard.count), Math.floor((flags.shard.index * m) / flags.shard.count)] : [0, m];
  const step = chunkRowsFor(d, opts.chunkRows);
  const src: HiddenRowSource = hiddenFile;

  let inputs: Record<string, InputDescription>;
  let labels: { label: string; excludeTop?: number; perContextTop?: number; bulkSize?: number; excludedWords?: Int32Array; excludedMass?: number }[];
  let fits: AnchorFit[] | null = null;
  let zetas: Float64Array[] | null = null;
  let residuals: Float64Array[] | undefined;
  let passes: { logits: number; hidden: number } | undefined;
  let seconds: Record<string, number> = {};
  let ranking: 'training' | 'all' | 'none' = 'none';
  let V: Matrix | null = null;
  const K0 = flags.excludeTop.length + flags.excludeTopPerContext.length;

  if (flags.embeddings) {
    const emb = loadMatrix('--embeddings', flags.embeddings, { allowSafetensors: true });
    V = emb.matrix;
    const n = V.rows;
    if (V.cols !== d) throw mismatch('--embeddings', `${emb.source} is ${n}×${V.cols} but --hidden ${hiddenFile.source} is ${m}×${d}; the number of columns d must agree`);
    if (n < d) {
      io.stderr(`lmtransfer anchor: warning: --embeddings ${emb.source} has fewer rows (${n}) than columns (${d}): a vocabulary smaller than the dimension is unusual; are --embeddings and --hidden swapped?\n`);
    }
    checkFiniteMatrix(`--embeddings ${emb.source}`, 'V', V);
    for (const k of flags.excludeTop) if (k >= n) throw flagError('--exclude-top', `must list values below the vocabulary size ${n} (the bulk would be empty); got ${k}`);
    for (const k of flags.excludeTopPerContext) if (k >= n) throw flagError('--exclude-top-per-context', `must list values below the vocabulary size ${n} (the bulk would be empty); got ${k}`);
    inputs = { embeddings: describeLoaded(emb, flags.shard !== undefined), hidden: describeFile(hiddenFile) };
    const nTrain = flags.shard ? m : train.length;
    const prog = progressFor(io, flags.quiet, n * m * d * (flags.excludeTop.some((k) => k > 0) ? 2 : 1), threshold, {
      // The full labels say what each phase covers (in a log and on the closing lines); the short
      // ones leave room for the bar, the count and the ETA on an 80-column terminal.
      rank: [`anchor: ranking words by mean probability over ${countOf(nTrain, flags.shard ? 'context' : 'training context')}`, 'anchor: ranking words'],
      logPartition: [`anchor: log Z_B for ${countOf(K0, 'bulk')} over ${countOf(shardRows[1] - shardRows[0], 'context')}`, `anchor: log Z_B, ${countOf(K0, 'bulk')}`],
      fit: [`anchor: fitting ${countOf(K0, 'bulk')} (d = ${d}; statistics of ${countOf(train.length, 'training context')})`, `anchor: fitting ${countOf(K0, 'bulk')}`],
      score: [`anchor: scoring ${countOf(K0, 'bulk')} on ${countOf(m, 'context')}`, `anchor: scoring ${countOf(K0, 'bulk')}`],
    }, opts.progressIntervalMs);
    if (!flags.shard) {
      const res = anchorSweepChecked(hName, 'H', V, src, flags.excludeTop, flags.excludeTopPerContext, {
        ridge: flags.ridge,
        rcond: flags.rcond,
        weights,
        train,
        test,
        step,
        residuals: flags.residuals !== undefined,
        onProgress: prog.onProgress,
      });
      prog.end();
      fits = res.bulks.map((b) => b.fit);
      zetas = res.logPartitions;
      residuals = res.residuals;
      passes = res.passes;
      seconds = res.seconds;
      ranking = res.contexts.ranking;
      labels = res.bulks.map((b) => ({
        label: b.excludeTop !== undefined ? `k=${b.excludeTop}` : `k=${b.perContextTop} per context`,
        excludeTop: b.excludeTop,
        perContextTop: b.perContextTop,
        bulkSize: b.bulkSize,
        excludedWords: b.excludedWords,
        excludedMass: b.excludedMass,
      }));
    } else {
      // A shard: the ranking on all of H (so every shard excludes the same words), then this
      // shard's log Z_B and statistics.
      const kmax = flags.excludeTop.length > 0 ? Math.max(...flags.excludeTop) : 0;
      const rk = kmax > 0 ? rankWordsChecked(hName, 'H', V, src, null, weights, kmax, step, prog.onProgress) : null;
      ranking = rk ? 'all' : 'none';
      zetas = sweepLogPartitionsChecked(hName, 'H', V, src, shardRows[0], shardRows[1], rk?.ranking ?? new Int32Array(0), flags.excludeTop, flags.excludeTopPerContext, step, prog.onProgress);
      prog.end();
      labels = [
        ...flags.excludeTop.map((k) => ({ label: `k=${k}`, excludeTop: k, bulkSize: n - k, excludedWords: (rk?.ranking ?? new Int32Array(0)).slice(0, k) })),
        ...flags.excludeTopPerContext.map((k) => ({ label: `k=${k} per context`, perContextTop: k, bulkSize: n - k })),
      ];
    }
  } else {
    const zf = loadMatrix('--log-partition', flags.logPartition!, { allow1d: true });
    if (zf.matrix.rows !== m) throw mismatch('--log-partition', `${zf.source} has ${countOf(zf.matrix.rows, 'row')} but --hidden ${hiddenFile.source} has ${m}; one value per context`);
    checkFiniteMatrix(`--log-partition ${zf.source}`, 'z', zf.matrix);
    const K = zf.matrix.cols;
    const [s0, s1] = shardRows;
    zetas = [];
    labels = [];
    for (let j = 0; j < K; j++) {
      const z = new Float64Array(s1 - s0);
      for (let i = s0; i < s1; i++) z[i - s0] = zf.matrix.data[i * K + j];
      labels.push({ label: zf.ndim === 1 ? 'z' : `z[:,${j}]` });
      zetas.push(z);
    }
    inputs = { logPartition: describeLoaded(zf, flags.shard !== undefined), hidden: describeFile(hiddenFile) };
    if (!flags.shard) {
      const prog = progressFor(io, flags.quiet, m * d * d * 2, threshold, {
        fit: [`anchor: fitting ${countOf(K, 'bulk')} (d = ${d}; statistics of ${countOf(train.length, 'training context')})`, `anchor: fitting ${countOf(K, 'bulk')}`],
        score: [`anchor: scoring ${countOf(K, 'bulk')} on ${countOf(m, 'context')}`, `anchor: scoring ${countOf(K, 'bulk')}`],
      }, opts.progressIntervalMs);
      const t0 = performance.now();
      const res = fitSharedDesign(hName, 'H', src, zetas, train, test, { ridge: flags.ridge, rcond: flags.rcond, weights, chunkRows: step, residuals: flags.residuals !== undefined, onProgress: prog.onProgress });
      prog.end();
      seconds = { fit: (performance.now() - t0) / 1000 };
      passes = { logits: 0, hidden: 2 };
      fits = res.fits;
      residuals = res.residuals;
    }
  }

  if (flags.shard) {
    const [s0, s1] = shardRows;
    const sub = rowRange(src, s0, s1);
    const accs = zetas.map(() => new AnchorAccumulator(d));
    const hHash = createHash('sha256');
    // The whole of H is hashed (merge compares it across shards); the statistics use this shard's rows.
    for (let r0 = 0; r0 < m; r0 += step) hashOf(readCheckedRows(hName, 'H', src, r0, Math.min(m, r0 + step)).data, hHash);
    for (let r0 = 0; r0 < sub.rows; r0 += step) {
      const r1 = Math.min(sub.rows, r0 + step);
      const c = readCheckedRows(hName, 'H', sub, r0, r1);
      const w = weights ? weights.subarray(s0 + r0, s0 + r1) : undefined;
      accs.forEach((acc, j) => acc.addLogPartition(c, zetas[j].subarray(r0, r1), w ? { weights: w } : undefined));
    }
    inputs.hidden.sha256 = hHash.digest('hex');
    const doc = {
      format: ANCHOR_SHARD_FORMAT,
      version: ANCHOR_SHARD_VERSION,
      shard: flags.shard,
      contexts: { start: s0, end: s1, total: m },
      inputs: { ...inputs, weights: weightsFile ? describeLoaded(weightsFile, true) : null },
      options: { ridge: flags.ridge, rcond: flags.rcond ?? null },
      results: labels.map((r, j) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, excludedWords: r.excludedWords ? Array.from(r.excludedWords) : undefined, accumulator: accs[j].toJSON() })),
    };
    const text = JSON.stringify(doc) + '\n';
    if (flags.out) {
      writeFileSync(flags.out, text);
      io.stderr(`lmtransfer anchor: shard ${flags.shard.index}/${flags.shard.count} (contexts ${s0}–${s1 - 1} of ${m}) written to ${flags.out}\n`);
    } else io.stdout(text);
    return 0;
  }

  const results: AnchorRow[] = labels.map((l, j) => ({ label: l.label, excludeTop: l.excludeTop, perContextTop: l.perContextTop, bulkSize: l.bulkSize, fit: fits![j] }));
  if (flags.residuals !== undefined && residuals) {
    const K = zetas.length;
    const out = new Float64Array(m * K * 2);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < K; j++) {
        out[(i * K + j) * 2] = zetas[j][i];
        out[(i * K + j) * 2 + 1] = residuals[j][i];
      }
    }
    try {
      writeFileSync(flags.residuals, writeNpy(out, [m, K, 2]));
    } catch (e) {
      throw flagError('--residuals', `must name a writable file; got '${flags.residuals}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const totalSeconds = (performance.now() - tStart) / 1000;
  if (flags.json) {
    const doc = {
      command: 'anchor',
      version: libraryVersion(),
      commandLine: ['lmtransfer', 'anchor', ...argv].map(quote).join(' '),
      inputs: { ...inputs, weights: weightsFile ? describeLoaded(weightsFile, false) : null },
      options: { holdout: flags.holdout, seed: flags.seed, ridge: flags.ridge, rcond: flags.rcond ?? null, weights: flags.weights ?? null, residuals: flags.residuals ?? null },
      contexts: contextRoles({ total: m, training: train, heldOut: test, ranking: ranking === 'training' ? 'training' : 'none' }, flags.seed),
      passes: passes ?? null,
      seconds: { ...seconds, total: totalSeconds },
      results: results.map((r, j) => ({
        label: r.label,
        excludeTop: r.excludeTop,
        perContextTop: r.perContextTop,
        bulkSize: r.bulkSize,
        excludedWords: labels[j].excludedWords ? Array.from(labels[j].excludedWords) : undefined,
        excludedMass: labels[j].excludedMass,
        fit: fitToJSON(r.fit),
      })),
    };
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  const srcLine = V ? `V ${inputs.embeddings.rows}×${d} from ${inputs.embeddings.source}` : `log Z_B from ${inputs.logPartition.source}`;
  io.stdout(`lmtransfer anchor: ${srcLine}; H ${m}×${d} from ${hiddenFile.source}\n`);
  io.stdout(`contexts: ${train.length} fitted${test.length > 0 ? `, ${test.length} held out (holdout ${flags.holdout}, seed ${flags.seed})` : ''}; ridge ${flags.ridge}${flags.weights ? `; weights from ${flags.weights}` : ''}\n\n`);
  io.stdout(renderAnchorTable(results, d));
  return 0;
}
