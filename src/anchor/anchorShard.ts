/**
 * The shard file format of `lmtransfer anchor --shard I/N` (`lmtransfer.anchorShard`): the
 * sufficient statistics of one contiguous block of contexts, one `AnchorAccumulator` per bulk, with
 * what is needed to check that shards belong to the same run before `anchor merge` adds them up.
 *
 * Version 2 (written now): `format`, `version`, `shard {index, count}`, `contexts {start, end,
 * total}`, `inputs` (per input flag: `{source, rows, cols, dtype, sha256}`, `weights` null when
 * uniform), `options {ridge, rcond}`, `results` (per bulk: `label`, `excludeTop` /
 * `perContextTop`, `bulkSize`, `excludedWords`, `accumulator`). Version 1 files (no checksums,
 * `weights` or `options`) are read, and compared by file name and shape only.
 */
import { FormatError } from '../core/errors.js';

/** The `format` field of a shard file. */
export const ANCHOR_SHARD_FORMAT = 'lmtransfer.anchorShard';
/** The version written: 1 had no inputs.weights, sha256 or options; 2 has all three. */
export const ANCHOR_SHARD_VERSION = 2;

/** What a shard records of an input file. */
export interface AnchorShardInput {
  source: string;
  rows: number;
  cols: number;
  /** The stored dtype (`float16`, `bfloat16`, `float32`, `float64`). */
  dtype: string;
  /** SHA-256 of the decoded values (little-endian bytes of the float32/float64 data). */
  sha256?: string;
}

/** One bulk of a shard. */
export interface AnchorShardResult {
  label: string;
  excludeTop?: number;
  perContextTop?: number;
  bulkSize?: number;
  excludedWords?: number[];
  /** `AnchorAccumulator.toJSON()`. */
  accumulator: unknown;
}

/** A shard file's contents (validated by `parseAnchorShard`), with the path it came from. */
export interface AnchorShardDoc {
  path: string;
  format?: string;
  version?: unknown;
  shard: { index: number; count: number };
  contexts: { start: number; end: number; total: number };
  inputs?: Record<string, AnchorShardInput | null | undefined>;
  options?: { ridge?: number; rcond?: number | null };
  results: AnchorShardResult[];
}

/**
 * Parse the text of a shard file and validate its structure: the format tag, `shard` and
 * `contexts` (integers, `1 ≤ index ≤ count`), `results`, and `options` when present. The
 * accumulators are validated when merged (`AnchorAccumulator.fromJSON`).
 *
 * @param text - the file's text.
 * @param path - the file's name, for messages (`merge <path>: …`).
 * @returns the document with `path`.
 * @throws FormatError when the text is not JSON or not a shard file, saying what is wrong.
 * @example
 * ```ts
 * // s1.json: written by `lmtransfer anchor --embeddings V.npy --hidden H.npy --shard 1/4 --out s1.json`
 * const doc = parseAnchorShard(readFileSync('s1.json', 'utf8'), 's1.json');
 * doc.shard; // → { index: 1, count: 4 }
 * parseAnchorShard('[1, 2]', 'x.json'); // throws FormatError
 * ```
 */
export function parseAnchorShard(text: string, path: string): AnchorShardDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`merge ${path}: must be a shard file (JSON); got a parse error: ${(e as Error).message.split('\n')[0]}`);
  }
  const d = doc as Partial<AnchorShardDoc> & { format?: unknown };
  if (doc === null || typeof doc !== 'object' || d.format !== ANCHOR_SHARD_FORMAT || !Array.isArray(d.results) || !d.shard || !d.contexts) {
    throw new FormatError(`merge ${path}: must be a shard file written by 'lmtransfer anchor --shard' (format '${ANCHOR_SHARD_FORMAT}'); got something else`);
  }
  const posInt = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  const sh = d.shard as Partial<AnchorShardDoc['shard']>;
  const cx = d.contexts as Partial<AnchorShardDoc['contexts']>;
  if (!posInt(sh.index) || !posInt(sh.count) || sh.count! < 1 || sh.index! < 1 || sh.index! > sh.count! || !posInt(cx.total) || !posInt(cx.start) || !posInt(cx.end)) {
    throw new FormatError(`merge ${path}: must have 'shard' {index, count} with 1 ≤ index ≤ count and 'contexts' {start, end, total} of integers; got ${JSON.stringify({ shard: d.shard, contexts: d.contexts })}`);
  }
  // Typed loosely: the file may hold anything.
  const op: { ridge?: unknown; rcond?: unknown } | null | undefined = d.options;
  if (op !== undefined) {
    const ok = op !== null && typeof op === 'object' && typeof op.ridge === 'number' && op.ridge >= 0 && (op.rcond === null || (typeof op.rcond === 'number' && op.rcond > 0 && op.rcond < 1));
    if (!ok) throw new FormatError(`merge ${path}: must have 'options' {ridge, rcond} with ridge ≥ 0 and rcond null or in (0, 1); got ${JSON.stringify(op)}`);
  }
  const bad = d.results.findIndex((r: unknown) => r === null || typeof r !== 'object' || typeof (r as { label?: unknown }).label !== 'string');
  if (bad >= 0) throw new FormatError(`merge ${path}: must have 'results' of objects with a 'label'; got ${JSON.stringify(d.results[bad])} at results[${bad}]`);
  return { ...(d as AnchorShardDoc), path };
}

const INPUT_FLAGS: [key: string, flag: string][] = [
  ['embeddings', '--embeddings'],
  ['logPartition', '--log-partition'],
  ['hidden', '--hidden'],
  ['weights', '--weights'],
];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Whether a shard records what version 2 added: inputs.weights, the sha256 of every input and the options.
 *
 * @example
 * ```ts
 * const doc = parseAnchorShard(readFileSync('s1.json', 'utf8'), 's1.json');
 * shardRecordsEverything(doc); // → true
 * // A version-1 shard (no checksums, weights or options) is compared by file name and shape only.
 * shardRecordsEverything({ ...doc, version: 1, options: undefined }); // → false
 * ```
 */
export function shardRecordsEverything(doc: AnchorShardDoc): boolean {
  const inp = doc.inputs;
  if (!isObject(inp) || !isObject(doc.options) || !('weights' in inp)) return false;
  return INPUT_FLAGS.every(([k]) => inp[k] === undefined || inp[k] === null || (isObject(inp[k]) && typeof inp[k].sha256 === 'string'));
}

/**
 * The reason why one shard was made with --embeddings and the other with --log-partition, or null.
 *
 * @example
 * ```ts
 * // a.json: a shard of `--embeddings V.npy --hidden H.npy`; b.json: of `--log-partition z.npy --hidden H.npy`
 * const a = parseAnchorShard(readFileSync('a.json', 'utf8'), 'a.json');
 * const b = parseAnchorShard(readFileSync('b.json', 'utf8'), 'b.json');
 * shardModeMismatch(b, a); // → "merge: 'b.json' was made with --log-partition but 'a.json' with --embeddings: not the same run"
 * shardModeMismatch(a, a); // → null
 * ```
 */
export function shardModeMismatch(doc: AnchorShardDoc, first: AnchorShardDoc): string | null {
  const mode = (x: unknown): string | undefined => (!isObject(x) ? undefined : isObject(x.embeddings) ? '--embeddings' : isObject(x.logPartition) ? '--log-partition' : undefined);
  const [ma, mb] = [mode(doc.inputs), mode(first.inputs)];
  return ma && mb && ma !== mb ? `merge: '${doc.path}' was made with ${ma} but '${first.path}' with ${mb}: not the same run` : null;
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;
const shape = (x: Record<string, unknown>): string => `${String(x.rows)}×${String(x.cols)} ${String(x.dtype)}`;

/**
 * The one-line reason why `doc` and `first` were not accumulated alike (another input mode, input
 * file, shape, dtype, --weights, --ridge or --rcond), or null. A field that either shard does not
 * record (an older shard file) is not compared; without checksums, files are compared by name
 * (directories may differ across machines).
 *
 * @example
 * ```ts
 * const docs = ['s1.json', 's2.json', 's3.json', 's4.json'].map((p) => parseAnchorShard(readFileSync(p, 'utf8'), p));
 * for (const doc of docs) if (shardIncompatibility(doc, docs[0]) !== null) throw new Error(shardIncompatibility(doc, docs[0])!);
 * // r2.json: shard 2/4 of the same inputs, made with --ridge 0.5
 * const r2 = parseAnchorShard(readFileSync('r2.json', 'utf8'), 'r2.json');
 * shardIncompatibility(r2, docs[0]); // → "merge: 'r2.json' was made with --ridge 0.5 but 's1.json' with --ridge 0: not the same run"
 * ```
 */
export function shardIncompatibility(doc: AnchorShardDoc, first: AnchorShardDoc): string | null {
  const a = isObject(doc.inputs) ? doc.inputs : {};
  const b = isObject(first.inputs) ? first.inputs : {};
  const why = shardModeMismatch(doc, first);
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
      return `merge: '${doc.path}' has ${flag} ${String(x.source)} ${shape(x)} but '${first.path}' has ${String(y.source)} ${shape(y)}: not the same inputs`;
    }
    if (typeof x.sha256 === 'string' && typeof y.sha256 === 'string') {
      if (x.sha256 !== y.sha256) return `merge: '${doc.path}' has ${flag} ${String(x.source)} (sha256 ${x.sha256.slice(0, 12)}…) but '${first.path}' has ${String(y.source)} (sha256 ${y.sha256.slice(0, 12)}…): not the same data`;
    } else if (baseName(String(x.source)) !== baseName(String(y.source))) {
      return `merge: '${doc.path}' has ${flag} ${String(x.source)} but '${first.path}' has ${String(y.source)}: not the same inputs`;
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
