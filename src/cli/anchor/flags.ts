/** The flags of `lmtransfer anchor` and `lmtransfer anchor merge`, parsed and checked. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../io.js';

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
  residuals: { type: 'string' },
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

/**
 * `--flag -1` as `--flag=-1` for flags that take a value, when the value looks like a negative
 * number or list: Node's parseArgs would otherwise refuse it as "ambiguous" before the flag's own
 * check could say what is expected.
 */
function joinNegativeValues(argv: readonly string[], options: ParseArgsConfig['options']): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const takesValue = name !== '' && options?.[name]?.type === 'string';
    const next = argv[i + 1];
    if (takesValue && next !== undefined && /^-[0-9.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Parse `argv` strictly; a parse failure is a one-line `UsageError` that points at `cmd --help`. */
export function parse(
  argv: readonly string[],
  options: ParseArgsConfig['options'],
  positionals: boolean,
  cmd: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: positionals });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    // Node's parseArgs messages may span lines; the reason must stay on one line.
    throw new UsageError(`${(e as Error).message.split('\n').join(' ')} (try '${cmd} --help')`);
  }
}

/** A numeric flag's value, checked: `option '<flag>' must be <expected>; got '<value>'`. */
export function numberFlag(flag: string, v: string | undefined, dflt: number, check: (x: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  const x = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`option '${flag}' must be ${expected}; got '${v}'`);
  return x;
}

/** The parsed flags of `lmtransfer anchor`. */
export interface AnchorFlags {
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
  residuals?: string;
  quiet: boolean;
  shard?: { index: number; count: number };
  out?: string;
  help: boolean;
}

/** Parse and check the flags of `lmtransfer anchor` (files are not opened here). */
export function parseAnchorFlags(argv: readonly string[]): AnchorFlags {
  const { values: v } = parse(argv, ANCHOR_OPTIONS, false, 'lmtransfer anchor');
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
    residuals: str('residuals'),
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
  if (flags.residuals !== undefined && flags.shard) throw new UsageError("options '--residuals' and '--shard' exclude each other (a shard keeps statistics, not residuals)");
  return flags;
}
