/**
 * The flags of `lmtransfer anchor` and `lmtransfer anchor merge`, parsed by the CLI's shared parser
 * (`../flags.ts`: "did you mean" for a misspelt flag, `--ridge -1` reaching its own check) and
 * checked here. Every message is `<flag>: <reason>`, as in the other commands.
 */
import { UsageError } from '../io.js';
import { type FlagSpec, didYouMean, flagError, missingFlag, numberFlag, parseFlags, wantsHelp } from '../flags.js';

/** The flags of `lmtransfer anchor` (a test checks that `ANCHOR_HELP` documents each of them). */
export const ANCHOR_OPTIONS = {
  embeddings: { type: 'string' },
  hidden: { type: 'string' },
  'log-partition': { type: 'string' },
  weights: { type: 'string' },
  // Lists: `--exclude-top 0,10 --exclude-top 100` is the list 0,10,100.
  'exclude-top': { type: 'string', multiple: true },
  'exclude-top-per-context': { type: 'string', multiple: true },
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
} as const satisfies Record<string, FlagSpec>;

/** The flags of `lmtransfer anchor merge` (a test checks that `ANCHOR_MERGE_HELP` documents each). */
export const ANCHOR_MERGE_OPTIONS = {
  ridge: { type: 'string' },
  rcond: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, FlagSpec>;

/** The checks of the fit flags the run and the merge share. */
export const checkRidge = (text: string | undefined): number | undefined => numberFlag('--ridge', text, (x) => x >= 0, 'a number ≥ 0');
export const checkRcond = (text: string | undefined): number | undefined => numberFlag('--rcond', text, (x) => x > 0 && x < 1, 'a number in (0, 1)');

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

const HELP_HINT = " (try 'lmtransfer anchor --help')";

/** A comma-separated list of integers ≥ 0 (all occurrences of a repeated flag), without repeats. */
function kList(flag: string, texts: readonly string[] | undefined): number[] | undefined {
  if (texts === undefined) return undefined;
  const out: number[] = [];
  for (const text of texts) {
    const parts = text.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^[0-9]+$/.test(p))) throw flagError(flag, `must be a comma-separated list of integers ≥ 0, e.g. 0,10,100; got '${text}'`);
    out.push(...parts.map(Number));
  }
  return [...new Set(out)];
}

/** A file path flag: absent, or a non-empty path. */
function pathFlag(flag: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw flagError(flag, 'must be a file path; got an empty string');
  return text;
}

/**
 * Parse and check the flags of `lmtransfer anchor` (files are not opened here). With `-h`/`--help`
 * anywhere before `--`, only `help` is set and nothing else is checked.
 */
export function parseAnchorFlags(argv: readonly string[]): AnchorFlags {
  // Help wins over every other flag, misspelt ones included.
  if (wantsHelp(argv)) return { excludeTop: [0], excludeTopGiven: false, excludeTopPerContext: [], holdout: 0, seed: '0', ridge: 0, json: false, quiet: false, help: true };
  const { values: v, positionals } = parseFlags('anchor', argv, ANCHOR_OPTIONS, { positionals: true });
  if (positionals.length > 0) {
    // The one word `anchor` takes is its subcommand, and only first: `anchor mrege a.json` is a typo of it.
    const guess = didYouMean(positionals[0], ['merge']);
    throw new UsageError(`${positionals[0]}: unexpected argument; ${guess ? `did you mean 'lmtransfer anchor ${guess}'? ` : ''}'lmtransfer anchor' takes only flags, 'lmtransfer anchor merge' takes shard files${HELP_HINT}`);
  }
  const flags: AnchorFlags = {
    embeddings: pathFlag('--embeddings', v.embeddings),
    hidden: pathFlag('--hidden', v.hidden),
    logPartition: pathFlag('--log-partition', v['log-partition']),
    weights: pathFlag('--weights', v.weights),
    excludeTop: [0],
    excludeTopGiven: v['exclude-top'] !== undefined,
    excludeTopPerContext: [],
    holdout: numberFlag('--holdout', v.holdout, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)') ?? 0,
    seed: v.seed ?? '0',
    ridge: checkRidge(v.ridge) ?? 0,
    json: v.json === true,
    residuals: pathFlag('--residuals', v.residuals),
    quiet: v.quiet === true,
    out: pathFlag('--out', v.out),
    help: false,
  };
  const rcond = checkRcond(v.rcond);
  if (rcond !== undefined) flags.rcond = rcond;
  if (flags.seed.trim() === '') throw flagError('--seed', 'must be a non-empty string or number; got an empty string');
  const et = kList('--exclude-top', v['exclude-top']);
  const etc = kList('--exclude-top-per-context', v['exclude-top-per-context']);
  if (et) flags.excludeTop = et;
  if (etc) {
    flags.excludeTopPerContext = etc;
    // Only the per-context rows were asked for: no fixed-bulk row unless --exclude-top says so.
    if (!et) flags.excludeTop = [];
  }
  const sh = v.shard;
  if (sh !== undefined) {
    const m = /^([0-9]+)\/([0-9]+)$/.exec(sh.trim());
    const i = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n >= 1) || !(i >= 1 && i <= n)) throw flagError('--shard', `must be I/N with 1 ≤ I ≤ N, e.g. 2/4; got '${sh}'`);
    flags.shard = { index: i, count: n };
  }
  if (!flags.hidden) throw missingFlag('anchor', '--hidden', 'the final hidden states, e.g. --hidden H.npy');
  if (!flags.embeddings && !flags.logPartition) throw missingFlag('anchor', '--embeddings', 'the output embeddings, e.g. --embeddings V.npy (or --log-partition z.npy)');
  if (flags.embeddings && flags.logPartition) throw flagError('--log-partition', 'excludes --embeddings (give one of them: --log-partition replaces V by log Z computed elsewhere)');
  if (flags.logPartition && flags.excludeTopGiven) throw flagError('--exclude-top', 'needs --embeddings (with --log-partition the bulks are the columns of z)');
  if (flags.logPartition && flags.excludeTopPerContext.length > 0) throw flagError('--exclude-top-per-context', 'needs --embeddings (with --log-partition the bulks are the columns of z)');
  if (flags.shard && flags.holdout > 0) throw flagError('--shard', 'excludes --holdout (a shard keeps statistics, not contexts)');
  if (flags.out !== undefined && !flags.shard) throw flagError('--out', 'needs --shard I/N');
  if (flags.residuals !== undefined && flags.shard) throw flagError('--residuals', 'excludes --shard (a shard keeps statistics, not residuals)');
  return flags;
}
