/**
 * The conventions guide's interop example is part of the contract: extract its code block, point
 * the `lmtransfer` import at the sources, run it with tsx in a child process, check what it prints.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('docs/guide/conventions.md', () => {
  it('its interop example (tfjs tensor in and out, int64 labels, ml-matrix) runs and prints the shapes it says', () => {
    const guide = readFileSync(join(root, 'docs', 'guide', 'conventions.md'), 'utf8');
    const match = /```ts\n([\s\S]*?)```/.exec(guide);
    expect(match).not.toBeNull();
    const code = match![1].replace(/from 'lmtransfer'/g, `from '${join(root, 'src', 'index.ts')}'`);
    // Inside the repository, so that the example's own imports (@tensorflow/tfjs, ml-matrix)
    // resolve from node_modules as they would in a user's project.
    const dir = mkdtempSync(join(root, '.tmp-conventions-'));
    try {
      const file = join(dir, 'example.ts');
      writeFileSync(file, code);
      const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(out).toContain('[ 6, 3 ] Float64Array(2) [ 1, 2 ]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
