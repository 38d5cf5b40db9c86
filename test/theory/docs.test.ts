/**
 * The theory page and the probe guide link each result to the code that computes it and the test
 * that checks it; this test keeps those links true: every relative link resolves to a file of the
 * repository, and a link whose text is a function or class name points at the file that exports it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = process.cwd();
const pages = ['docs/theory.md', 'docs/guide/probes.md', 'docs/index.md'];

/** `[text](target)` links with a relative target (no scheme, no pure #anchor). */
function relativeLinks(markdown: string): { text: string; target: string }[] {
  const out: { text: string; target: string }[] = [];
  for (const m of markdown.matchAll(/\[([^\]]+)\]\(([^)\s]+)\)/g)) {
    const target = m[2].split('#')[0];
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    out.push({ text: m[1], target });
  }
  return out;
}

describe('documentation links', () => {
  it.each(pages)('%s: every relative link resolves, and a linked name is exported by its file', (page) => {
    const file = join(root, page);
    const links = relativeLinks(readFileSync(file, 'utf8'));
    const missing: string[] = [];
    const notExported: string[] = [];
    for (const { text, target } of links) {
      const path = resolve(dirname(file), target);
      if (!existsSync(path)) {
        missing.push(target);
        continue;
      }
      // `[`name`](../src/…/name.ts)` or `[`name(L)`](…)`: the file must export that name.
      const name = /^`([A-Za-z_]\w*)[`(]/.exec(text)?.[1];
      if (name && path.endsWith(`${name}.ts`) && path.includes('/src/')) {
        const src = readFileSync(path, 'utf8');
        if (!new RegExp(`export (function|class|const) ${name}\\b`).test(src)) notExported.push(`${name} in ${target}`);
      }
    }
    expect(missing).toEqual([]);
    expect(notExported).toEqual([]);
    if (page === 'docs/theory.md') expect(links.length).toBeGreaterThan(50);
  });

  it('has teeth: a missing target is reported', () => {
    const links = relativeLinks('see [`nothing`](../src/theory/doesNotExist.ts) and [web](https://example.org)');
    expect(links).toEqual([{ text: '`nothing`', target: '../src/theory/doesNotExist.ts' }]);
    expect(existsSync(resolve(join(root, 'docs'), links[0].target))).toBe(false);
  });
});
