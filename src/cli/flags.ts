/**
 * Command-line flag parsing shared by the `lmtransfer` commands, with one message style for every
 * usage error: `lmtransfer <command>: <flag>: <reason>` (the dispatcher adds the command prefix;
 * these helpers write `<flag>: <reason>`). Unknown flags and commands get a "did you mean" from the
 * edit distance. A value may start with `-` (`--ridge -1` is the value −1, then rejected by the
 * flag's own check with its own message), which Node's `parseArgs` refuses as "ambiguous".
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './io.js';

/** One flag of a command: a string value (`--out DIR`) or a switch (`--quick`). */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias, written `-x`. */
  readonly short?: string;
  /**
   * A string flag that may be given more than once; its values are collected in order
   * (`--exclude-top 0,10 --exclude-top 100` → `['0,10', '100']`). Other flags given twice are an error.
   */
  readonly multiple?: boolean;
}

/** The parsed values of a command line, typed from its flag table. */
export type FlagValues<S extends Record<string, FlagSpec>> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K] extends { readonly multiple: true } ? string[] : string;
};

/**
 * Edit distance between two words: insertions, deletions, substitutions and swaps of two adjacent
 * letters each cost 1 (optimal string alignment), so that `--jsno` is one typo away from `--json`.
 *
 * @example
 * ```ts
 * editDistance('--qiuck', '--quick'); // → 1
 * editDistance('--out', '--seed'); // → 4
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input` when it is close enough to be a typo (distance at most 1 for
 * words up to 4 letters, 2 up to 8, 3 beyond), else `undefined`; a candidate that starts with
 * `input` also counts (`--emb` → `--embeddings`).
 *
 * @example
 * ```ts
 * didYouMean('reproduec', ['reproduce', 'anchor']); // → 'reproduce'
 * didYouMean('train', ['reproduce', 'anchor']); // → undefined
 * ```
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const bare = (s: string): string => s.replace(/^-+/, '');
  const core = bare(input);
  const limit = core.length <= 4 ? 1 : core.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(core, bare(c));
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= limit) return best;
  if (core.length >= 3) return candidates.find((c) => bare(c).startsWith(core));
  return undefined;
}

/** The CLI's pluraliser is the library's one (`core/countOf.ts`), re-exported for the commands. */
export { countOf } from '../core/countOf.js';

/**
 * True when `argv` asks for help (`-h`/`--help` before a `--`): help wins over every other flag.
 *
 * @example
 * ```ts
 * wantsHelp(['--json', '--help']); // → true
 * wantsHelp(['--', '--help']); // → false
 * ```
 */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Parse `argv` against the flag table `spec` of `command` (`--flag value`, `--flag=value`, `-x value`,
 * switches, `--` before positionals). Throws a {@link UsageError} `<flag>: <reason> (try 'lmtransfer
 * <command> --help')` for an unknown flag (with a suggestion), a missing value, a value given to a
 * switch, a repeated flag (unless its spec says `multiple`), or a positional where none is allowed.
 * A value that looks like a negative number (`--ridge -1`) is a value, so that the flag's own check
 * can say what it expects. `command` may be a subcommand (`'anchor merge'`).
 *
 * @example
 * ```ts
 * const { values } = parseFlags('reproduce', ['--out', 'r', '--quick'], { out: { type: 'string' }, quick: { type: 'boolean' } });
 * values.out; // → 'r'
 * ```
 */
export function parseFlags<S extends Record<string, FlagSpec>>(
  command: string,
  argv: readonly string[],
  spec: S,
  opts: { readonly positionals?: boolean } = {},
): { values: FlagValues<S>; positionals: string[] } {
  const hint = ` (try 'lmtransfer ${command} --help')`;
  const names = Object.keys(spec);
  const known = [...names.map((n) => `--${n}`), ...names.filter((n) => spec[n].short).map((n) => `-${spec[n].short}`)];
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map(names.filter((n) => spec[n].short).map((n) => [spec[n].short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      if (!opts.positionals) throw new UsageError(`${arg}: unexpected argument; this command takes only flags${hint}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = eq > 0 ? arg.slice(0, eq) : arg;
    const name = written.startsWith('--') ? written.slice(2) : byShort.get(written.slice(1));
    if (name === undefined || !Object.prototype.hasOwnProperty.call(spec, name)) {
      const guess = didYouMean(written, known);
      throw new UsageError(`${written}: unknown option${guess ? `; did you mean ${guess}?` : ''}${hint}`);
    }
    const flag = `--${name}`;
    if (Object.prototype.hasOwnProperty.call(values, name) && spec[name].multiple !== true) throw new UsageError(`${flag}: given twice; give it once${hint}`);
    if (spec[name].type === 'boolean') {
      if (eq > 0) throw new UsageError(`${flag}: takes no value; got '${arg.slice(eq + 1)}'${hint}`);
      values[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    // The next word is the value unless it is a flag: `--ridge -1` is a value, `--out --quick` is not.
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--') && !known.includes(argv[i + 1])) value = argv[++i];
    if (value === undefined) throw new UsageError(`${flag}: needs a value${hint}`);
    if (spec[name].multiple === true) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return { values: values as FlagValues<S>, positionals };
}

/**
 * A {@link UsageError} about one flag, in the CLI's one message style `<flag>: <reason>` (the
 * dispatcher adds `lmtransfer <command>: `).
 *
 * @example
 * ```ts
 * flagError('--hidden', 'is required').message; // → '--hidden: is required'
 * ```
 */
export function flagError(flag: string, reason: string): UsageError {
  return new UsageError(`${flag}: ${reason}`);
}

/**
 * A required flag that was not given: `<flag>: is required; give <what> (try 'lmtransfer <command> --help')`.
 *
 * @example
 * ```ts
 * const e = missingFlag('anchor', '--hidden', 'the hidden states, e.g. --hidden H.npy');
 * e.message.split('; ')[1]; // → "give the hidden states, e.g. --hidden H.npy (try 'lmtransfer anchor --help')"
 * e instanceof UsageError; // → true
 * ```
 */
export function missingFlag(command: string, flag: string, what: string): UsageError {
  return flagError(flag, `is required; give ${what} (try 'lmtransfer ${command} --help')`);
}

/**
 * A numeric flag's value, checked: `undefined` when the flag was not given, else the number, or a
 * {@link UsageError} `<flag>: must be <expected>; got '<text>'` when `text` is not a finite number
 * or fails `ok`.
 *
 * @example
 * ```ts
 * numberFlag('--ridge', '0.5', (x) => x >= 0, 'a number ≥ 0'); // → 0.5
 * numberFlag('--ridge', undefined, (x) => x >= 0, 'a number ≥ 0'); // → undefined
 * numberFlag('--ridge', '-1', (x) => x >= 0, 'a number ≥ 0'); // throws UsageError
 * ```
 */
export function numberFlag(flag: string, text: string | undefined, ok: (x: number) => boolean, expected: string): number | undefined {
  if (text === undefined) return undefined;
  const x = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(x) || !ok(x)) throw flagError(flag, `must be ${expected}; got '${text}'`);
  return x;
}

/**
 * Check that `path`, given to `flag`, can be written as a file: its directory exists and is a
 * directory, and `path` itself is not a directory. Throws a {@link UsageError} naming the flag.
 *
 * @example
 * ```ts
 * checkOutputFile('--out', 'shard-1.json'); // the current directory exists: returns
 * ```
 */
export function checkOutputFile(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new UsageError(`${flag}: the directory of '${path}' does not exist (create it first); got '${path}'`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag}: '${dirname(path)}' is not a directory; got '${path}'`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${flag}: must be a file path; '${path}' is a directory`);
}
