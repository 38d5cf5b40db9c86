/**
 * The table in docs/guide/anchor-on-your-model.md §3 ("Read the output") is the command's real output
 * on the stand-in that `scripts/guide-stand-in.ts` writes: regenerate the files, run `lmtransfer
 * anchor` with the guide's flags, and compare with the guide's code block line by line. A change
 * to the table's format or to the fit that is not carried into the guide fails here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(__dirname, '../..');

test('the guide table equals `lmtransfer anchor` on the stand-in files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-guide-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/guide-stand-in.ts'), dir], { cwd: ROOT, stdio: 'pipe' });
    let out = '';
    const code = await main(
      ['anchor', '--embeddings', join(dir, 'Vs.npy'), '--hidden', join(dir, 'Hs.npy'), '--exclude-top', '0,10,100,1000', '--holdout', '0.2'],
      { stdout: (s: string) => void (out += s), stderr: () => undefined, isTTY: false },
    );
    expect(code).toBe(0);
    const ran = out.split('\n').slice(0, 8).map((l) => l.split(dir + '/').join('').trimEnd());
    const guide = readFileSync(join(ROOT, 'docs/guide/anchor-on-your-model.md'), 'utf8');
    const start = guide.indexOf('```\nlmtransfer anchor: V 5000×64');
    expect(start).toBeGreaterThan(0);
    const block = guide.slice(start + 4, guide.indexOf('```', start + 4)).split('\n').slice(0, 8).map((l) => l.trimEnd());
    expect(ran).toEqual(block);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
