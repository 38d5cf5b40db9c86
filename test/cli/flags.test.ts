/**
 * The CLI's flags and help, across every command: one shared parser (did-you-mean for a misspelt
 * flag of each command, negative numbers reaching the flag's own check, repeated list flags), one
 * message prefix `lmtransfer <command>: <flag>: <reason>` for an unknown flag, a missing required
 * flag and a bad value, and an "Examples" section in every help text. In-process (`main` with a
 * capturing io): no file is read, since every case fails or stops before the inputs are opened.
 */
import type { CliIO } from '../../src/cli/io.js';
import { main, TOP_HELP } from '../../src/cli/main.js';
import { parseAnchorFlags } from '../../src/cli/anchor/flags.js';
import { parseFlags } from '../../src/cli/flags.js';

function capture(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, isTTY: false, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.out.join(''), err: io.err.join('') };
}

/**
 * Every command the top-level help lists (`lmtransfer reproduce …`, `lmtransfer anchor merge …`),
 * read from its Usage section, so that a command added there is covered here without editing this test.
 */
function commandsOfTopHelp(): string[][] {
  const usage = TOP_HELP.slice(TOP_HELP.indexOf('Usage:'), TOP_HELP.indexOf('\n\n', TOP_HELP.indexOf('Usage:')));
  const cmds = new Map<string, string[]>();
  for (const m of usage.matchAll(/^ {2}lmtransfer ([a-z]+)(?: ([a-z]+)\b(?! ?\.))?/gm)) {
    const words = m[2] !== undefined && !m[2].startsWith('-') ? [m[1], m[2]] : [m[1]];
    cmds.set(words.join(' '), words);
  }
  return [...cmds.values()];
}

describe('lmtransfer help texts', () => {
  const commands = commandsOfTopHelp();

  it('the top-level usage lists reproduce, anchor and anchor merge', () => {
    expect(commands.map((c) => c.join(' ')).sort()).toEqual(['anchor', 'anchor merge', 'reproduce']);
  });

  it('every help text (top level and each command) fits 80 columns and has an Examples section of command lines', async () => {
    const texts: [string, string][] = [['', (await run(['--help'])).out]];
    for (const c of commands) {
      const r = await run([...c, '--help']);
      expect({ c, code: r.code, err: r.err }).toEqual({ c, code: 0, err: '' });
      texts.push([c.join(' '), r.out]);
    }
    expect(texts).toHaveLength(4);
    for (const [cmd, text] of texts) {
      const m = /\nExamples:\n((?: {2}\S[^\n]*\n)+)/.exec(text);
      expect({ cmd, hasExamples: m !== null }).toEqual({ cmd, hasExamples: true });
      // An 80-column terminal shows every line of every help text unwrapped (code points: ≥, ‖ are one column).
      expect({ cmd, tooWide: text.split('\n').filter((l) => [...l].length > 80) }).toEqual({ cmd, tooWide: [] });
      const lines = m![1].trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      // Each example is a command line of this command (the top level may show any command).
      for (const l of lines) expect(l).toMatch(new RegExp(`^ {2}lmtransfer ${cmd.replace(/ /g, ' ')}\\b`));
    }
  });

  it('help wins over every other flag, a misspelt one included', async () => {
    for (const args of [['anchor', '--bogus', '--help'], ['anchor', '--hidden', '-h'], ['anchor', 'merge', '--rigde', '--help'], ['reproduce', '--jsno', '-h']]) {
      const r = await run(args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 0, err: '' });
      expect(r.out).toMatch(/^lmtransfer /);
    }
  });
});

describe('lmtransfer flags: one parser, one message style', () => {
  it('did you mean: a misspelt flag of each command gets the flag it is one typo from', async () => {
    const cases: [string[], string][] = [
      [['--verison'], "lmtransfer: --verison: unknown option; did you mean '--version'? (try 'lmtransfer --help')\n"],
      [['reproduce', '--qiuck'], "lmtransfer reproduce: --qiuck: unknown option; did you mean --quick? (try 'lmtransfer reproduce --help')\n"],
      [['anchor', '--embedings', 'V.npy', '--hidden', 'H.npy'], "lmtransfer anchor: --embedings: unknown option; did you mean --embeddings? (try 'lmtransfer anchor --help')\n"],
      [['anchor', '--hidden', 'H.npy', '--exclude-tpo', '0,10'], "lmtransfer anchor: --exclude-tpo: unknown option; did you mean --exclude-top? (try 'lmtransfer anchor --help')\n"],
      [['anchor', '--hidden', 'H.npy', '--log-parition', 'z.npy'], "lmtransfer anchor: --log-parition: unknown option; did you mean --log-partition? (try 'lmtransfer anchor --help')\n"],
      [['anchor', 'merge', 'a.json', '--rigde', '1'], "lmtransfer anchor: --rigde: unknown option; did you mean --ridge? (try 'lmtransfer anchor merge --help')\n"],
      [['anchor', 'merge', 'a.json', '--jsno'], "lmtransfer anchor: --jsno: unknown option; did you mean --json? (try 'lmtransfer anchor merge --help')\n"],
      // A flag of `anchor` is not one of `anchor merge`: no suggestion from the other command's table.
      [['anchor', 'merge', 'a.json', '--hidden', 'H.npy'], "lmtransfer anchor: --hidden: unknown option (try 'lmtransfer anchor merge --help')\n"],
      // The subcommand itself, misspelt.
      [['anchor', 'mrege', 'a.json'], "lmtransfer anchor: mrege: unexpected argument; did you mean 'lmtransfer anchor merge'? 'lmtransfer anchor' takes only flags, 'lmtransfer anchor merge' takes shard files (try 'lmtransfer anchor --help')\n"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: message });
    }
  });

  it('unknown flag, missing required flag and bad value start the same way in every command: lmtransfer <command>: <flag>: ', async () => {
    const files = ['--embeddings', 'V.npy', '--hidden', 'H.npy'];
    const cases: [string, string[], string][] = [
      ['unknown', ['reproduce', '--bogus'], '--bogus'],
      ['bad value', ['reproduce', '--seed', ''], '--seed'],
      ['bad value', ['reproduce', '--quick=yes'], '--quick'],
      ['missing value', ['reproduce', '--out'], '--out'],
      ['unknown', ['anchor', ...files, '--bogus'], '--bogus'],
      ['missing required', ['anchor', '--embeddings', 'V.npy'], '--hidden'],
      ['missing required', ['anchor', '--hidden', 'H.npy'], '--embeddings'],
      ['missing value', ['anchor', ...files, '--holdout'], '--holdout'],
      ['bad value', ['anchor', ...files, '--holdout', '1.5'], '--holdout'],
      ['bad value', ['anchor', ...files, '--ridge', '-1'], '--ridge'],
      ['bad value', ['anchor', ...files, '--ridge=-1'], '--ridge'],
      ['bad value', ['anchor', ...files, '--rcond', '-1e-3'], '--rcond'],
      ['bad value', ['anchor', ...files, '--exclude-top', '-1'], '--exclude-top'],
      ['bad value', ['anchor', ...files, '--exclude-top', '0', '--exclude-top', '1,x'], '--exclude-top'],
      ['bad value', ['anchor', ...files, '--shard', '3/2'], '--shard'],
      ['bad value', ['anchor', ...files, '--seed', ' '], '--seed'],
      ['bad value', ['anchor', '--embeddings', '', '--hidden', 'H.npy'], '--embeddings'],
      ['conflict', ['anchor', ...files, '--log-partition', 'z.npy'], '--log-partition'],
      ['conflict', ['anchor', ...files, '--out', 'x.json'], '--out'],
      ['conflict', ['anchor', ...files, '--shard', '1/2', '--holdout', '0.1'], '--shard'],
      ['repeated', ['anchor', ...files, '--ridge', '1', '--ridge', '2'], '--ridge'],
      ['unknown', ['anchor', 'merge', 'a.json', '--bogus'], '--bogus'],
      ['bad value', ['anchor', 'merge', 'a.json', '--ridge', '-1'], '--ridge'],
      ['bad value', ['anchor', 'merge', 'a.json', '--rcond', '2'], '--rcond'],
      ['missing value', ['anchor', 'merge', 'a.json', '--ridge'], '--ridge'],
    ];
    for (const [kind, args, flag] of cases) {
      const r = await run(args);
      const command = args[0];
      // One line, exit 2, and the prefix names the command and then the flag.
      expect({ kind, args, code: r.code, lines: r.err.trimEnd().split('\n').length }).toEqual({ kind, args, code: 2, lines: 1 });
      expect({ kind, args, err: r.err.slice(0, `lmtransfer ${command}: ${flag}: `.length) }).toEqual({ kind, args, err: `lmtransfer ${command}: ${flag}: ` });
    }
  });

  it('a negative number reaches the flag check, in both forms and in both anchor commands', async () => {
    expect((await run(['anchor', '--embeddings', 'V.npy', '--hidden', 'H.npy', '--ridge', '-1'])).err).toBe("lmtransfer anchor: --ridge: must be a number ≥ 0; got '-1'\n");
    expect((await run(['anchor', 'merge', 'a.json', '--ridge', '-0.5'])).err).toBe("lmtransfer anchor: --ridge: must be a number ≥ 0; got '-0.5'\n");
    expect((await run(['anchor', '--embeddings', 'V.npy', '--hidden', 'H.npy', '--rcond', '-.1'])).err).toBe("lmtransfer anchor: --rcond: must be a number in (0, 1); got '-.1'\n");
  });

  it('parseAnchorFlags: --shard i/N, repeated list flags collected, defaults, and its input not mutated', () => {
    const argv = Object.freeze(['--embeddings', 'V.npy', '--hidden', 'H.npy', '--exclude-top', '0,10', '--exclude-top=100,10', '--shard', ' 2/4 ', '--ridge', '0.5', '--out', 's.json']);
    const f = parseAnchorFlags(argv);
    expect(f).toMatchObject({ embeddings: 'V.npy', hidden: 'H.npy', excludeTop: [0, 10, 100], excludeTopGiven: true, excludeTopPerContext: [], shard: { index: 2, count: 4 }, ridge: 0.5, out: 's.json', holdout: 0, seed: '0', json: false, quiet: false, help: false });
    expect(f.rcond).toBeUndefined();
    // Only per-context rows: no fixed-bulk row unless --exclude-top is given too.
    expect(parseAnchorFlags(['--embeddings', 'V.npy', '--hidden', 'H.npy', '--exclude-top-per-context', '5', '--exclude-top-per-context', '1,5'])).toMatchObject({ excludeTop: [], excludeTopPerContext: [5, 1] });
    expect(parseAnchorFlags(['--embeddings', 'V.npy', '--hidden', 'H.npy'])).toMatchObject({ excludeTop: [0], ridge: 0, holdout: 0 });
    expect(parseAnchorFlags(['--log-partition', 'z.npy', '--hidden', 'H.npy', '--rcond', '1e-6', '--holdout', '0.25', '--seed', '-3'])).toMatchObject({ logPartition: 'z.npy', rcond: 1e-6, holdout: 0.25, seed: '-3' });
    expect(parseAnchorFlags(['-h']).help).toBe(true);
  });

  it('the shared parser: a repeated flag is an error unless its spec says multiple', () => {
    const spec = { k: { type: 'string', multiple: true }, s: { type: 'string' } } as const;
    expect(parseFlags('x', ['--k', '1', '--k=2', '--s', '-3'], spec).values).toEqual({ k: ['1', '2'], s: '-3' });
    expect(() => parseFlags('x', ['--s', '1', '--s', '2'], spec)).toThrow("--s: given twice; give it once (try 'lmtransfer x --help')");
  });
});
