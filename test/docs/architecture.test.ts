/**
 * docs/architecture.md names many files and folders; each must exist, so that the document cannot
 * drift from the code unnoticed. Checked: every code span that looks like a path (from the
 * repository root, or a top-level or `src/` folder written `name/`), every bare file name (`jsRows.ts`, which
 * must exist somewhere in the repository), every entry of the layout tree (under `src/`) and every
 * relative Markdown link (from `docs/`). Package subpaths (`lmtransfer/io`) and globs are not files.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';

const root = join(__dirname, '..', '..');
const SKIP = /(^|\/)(node_modules|dist|\.git)(\/|$)/;

function allFiles(dir: string, out: Set<string>): Set<string> {
  for (const e of readdirSync(join(root, dir))) {
    const p = posix.join(dir, e);
    if (SKIP.test(p)) continue;
    if (statSync(join(root, p)).isDirectory()) allFiles(p, out);
    else out.add(basename(p));
  }
  return out;
}

/** Paths a Markdown text names that do not exist, given the set of file names of the repository. */
export function missingPaths(markdown: string, names: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  const exists = (p: string): boolean => existsSync(join(root, p));
  let inTree = false;
  for (const line of markdown.split('\n')) {
    if (/^```text/.test(line)) inTree = true;
    else if (/^```/.test(line)) inTree = false;
    if (inTree) {
      const m = /^[├└]── (\S+)/.exec(line);
      if (m && !exists(posix.join('src', m[1]))) missing.push(`src/${m[1]}`);
      continue;
    }
    for (const [, span] of line.matchAll(/`([^`\s]+)`/g)) {
      const p = span.replace(/[.,;:]$/, '');
      if (p.startsWith('lmtransfer/') || p.includes('*') || p.startsWith('dist/')) continue;
      if (/^[\w.-]+\/$/.test(p)) {
        if (!exists(p) && !exists(posix.join('src', p))) missing.push(p);
      } else if (p.includes('/') && /\.\w+$|\/$/.test(p)) {
        if (!exists(p)) missing.push(p);
      } else if (/^[\w.-]+\.(ts|mjs|js|md|json)$/.test(p) && !names.has(p)) missing.push(p);
    }
    for (const [, target] of line.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      if (!exists(posix.join('docs', target))) missing.push(target);
    }
  }
  return missing;
}

describe('docs/architecture.md', () => {
  const names = allFiles('.', new Set<string>());
  const text = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

  it('names only files and folders that exist', () => {
    expect(missingPaths(text, names)).toEqual([]);
  });

  it('covers every folder of src/ in its layout tree', () => {
    const folders = readdirSync(join(root, 'src')).filter((e) => statSync(join(root, 'src', e)).isDirectory());
    for (const f of folders) expect(text).toMatch(new RegExp(`^[├└]── ${f}/`, 'm'));
  });

  it('reports a path that does not exist (the check has teeth)', () => {
    const planted = '```text\n├── nowhere/   x\n```\nsee `src/backend/gone.ts`, `gone/`, `goneKernel.ts` and [x](gone.md); `lmtransfer/io` is fine';
    expect(missingPaths(planted, names)).toEqual(['src/nowhere/', 'src/backend/gone.ts', 'gone/', 'goneKernel.ts', 'gone.md']);
  });
});
