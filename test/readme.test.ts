/**
 * The README's usage example is part of the contract: this test extracts the block marked
 * `readme-example`, points its `lmtransfer` import at the sources, runs it with tsx in a child
 * process and checks what it prints.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('README', () => {
  it('its usage example runs and prints what the text says', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const match = /<!-- readme-example[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme);
    expect(match).not.toBeNull();
    const code = match![1].replace(/from 'lmtransfer'/g, `from '${join(root, 'src', 'index.ts')}'`);
    const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-readme-'));
    try {
      const file = join(dir, 'example.ts');
      writeFileSync(file, code);
      const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { cwd: root, encoding: 'utf8' });
      const r2 = /R² of the anchor fit: ([0-9.]+)/.exec(out);
      expect(r2).not.toBeNull();
      // The bulk is drawn around a common mean, so log Z is close to affine in h (docs/theory.md#3-the-anchor-vector).
      expect(Number(r2![1])).toBeGreaterThan(0.9);
      // Mean cross-entropy of targets (2, 0): ((LSE(1,2,3) − 3) + (log 3 − 0)) / 2.
      const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
      const expected = ((lse - 3) + Math.log(3)) / 2;
      expect(out).toContain(`cross-entropy: ${expected.toFixed(4)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
