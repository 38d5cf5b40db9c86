/**
 * Docs that stand alone: nothing the project ships or keeps (src/, docs/, bench/, test/, README.md)
 * may cite a file outside the repository — the specification or development notes it was written
 * from, or a path of a development machine — and every `docs/theory.md#anchor` (or Markdown link to
 * `theory.md#anchor`) must name a heading that exists, with GitHub's slug rules. The compiled
 * package (dist/) must not carry an absolute path either.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const SCOPE = ['src', 'docs', 'bench', 'test', 'README.md'];
const SKIP = /(^|\/)(node_modules|dist|api|\.git)(\/|$)/;

function walk(p: string, out: string[]): string[] {
  const abs = join(root, p);
  if (!existsSync(abs) || SKIP.test(p)) return out;
  if (statSync(abs).isDirectory()) for (const e of readdirSync(abs)) walk(posix.join(p, e), out);
  else if (/\.(ts|mts|js|mjs|md|json|css|html)$/.test(p)) out.push(p);
  return out;
}

/** GitHub's heading slug (github-slugger): lower case; keep letters, marks, numbers, `_`, spaces and hyphens; spaces become hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Anchors of a Markdown file: one per heading outside code fences, with `-1`, `-2` for repeats, as GitHub numbers them. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fence = !fence;
    const m = fence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = githubSlug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** References to something that is not in the repository. */
const OUTSIDE: readonly [RegExp, string][] = [
  [/\bTHEORY\.md\b/, 'the specification THEORY.md'],
  [/\b(perf|toolchain|style)\.md\b/, 'a development note'],
  [/\.\.\/shared\b|\bshared\/(spec|notes)\b/, 'the shared folder'],
  [/(^|[\s'"`(=:])\/(work|home|Users|root|tmp)\//, 'an absolute path of a development machine'],
];

// This file spells the forbidden patterns out; it is the one place allowed to.
const SELF = 'test/docs/references.test.ts';

describe('references stay inside the repository', () => {
  const files = SCOPE.flatMap((p) => walk(p, [])).filter((f) => f !== SELF);
  const theoryAnchors = headingAnchors(readFileSync(join(root, 'docs/theory.md'), 'utf8'));

  it('github slugs follow GitHub', () => {
    expect(githubSlug('5. Theorem 1 (transfer under an anchor)')).toBe('5-theorem-1-transfer-under-an-anchor');
    expect(githubSlug('Lemma 1 (Pinsker). `t ≤ sqrt(κ/2)`.')).toBe('lemma-1-pinsker-t--sqrtκ2');
    expect([...headingAnchors('# A\n## A\n```\n# B\n```\n')]).toEqual(['a', 'a-1']);
    expect(theoryAnchors.has('3-the-anchor-vector')).toBe(true);
  });

  it('no file cites THEORY.md, a note, the shared folder or a machine path', () => {
    expect(files.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [re, what] of OUTSIDE) if (re.test(line)) bad.push(`${f}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(bad).toEqual([]);
  });

  it('every docs/theory.md#anchor and every Markdown link to theory.md#anchor exists', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      // Plain citations (source comments, TSDoc, CLI help): always `docs/theory.md#…` from the root.
      for (const m of text.matchAll(/docs\/theory\.md#([\p{L}\p{M}\p{N}_-]+)/gu)) {
        seen++;
        if (!theoryAnchors.has(m[1])) bad.push(`${f}: docs/theory.md#${m[1]}`);
      }
      if (!f.endsWith('.md')) continue;
      // Markdown links, relative to the file; `(#x)` inside docs/theory.md itself.
      for (const m of text.matchAll(/\]\(([^)\s]*?)#([^)\s]+)\)/g)) {
        const target = m[1] === '' ? join(root, f) : resolve(dirname(join(root, f)), m[1]);
        if (relative(root, target) !== join('docs', 'theory.md')) continue;
        seen++;
        if (!theoryAnchors.has(decodeURIComponent(m[2]))) bad.push(`${f}: ${m[0]}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(bad).toEqual([]);
  });

  it('a missing anchor or an outside reference is caught (the checks have teeth)', () => {
    expect(theoryAnchors.has('4-the-anchor-vector')).toBe(false);
    const line = ' * see the notes in /work/shared/notes/perf.md';
    expect(OUTSIDE.filter(([re]) => re.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(OUTSIDE.some(([re]) => re.test('https://example.org/work/x'))).toBe(false);
  });

  const dist = join(root, 'dist');
  it('dist/ (built by `npm test` before jest) carries no absolute path', () => {
    expect(existsSync(dist)).toBe(true);
    const bad: string[] = [];
    const walkDist = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walkDist(p);
        else if (/\.(js|d\.ts|map|json)$/.test(e)) {
          const t = readFileSync(p, 'utf8');
          if (t.includes(root) || /(^|[\s'"`(])\/(work|home|Users|tmp)\//m.test(t) || /THEORY\.md|perf\.md|toolchain\.md/.test(t)) bad.push(relative(root, p));
        }
      }
    };
    walkDist(dist);
    expect(bad).toEqual([]);
  });
});
