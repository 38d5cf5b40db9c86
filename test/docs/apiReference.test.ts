/**
 * The API reference: its configuration (warnings are errors, `@internal` members are left out, the
 * guides and docs/theory.md are documents of the site), and one real TypeDoc run into a scratch
 * directory, which must end with no error and no warning (a type referenced by the public API but
 * not exported, a broken `{@link}`, a code fence in an unknown language each make it fail).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const config = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as {
  excludeInternal?: boolean;
  treatWarningsAsErrors?: boolean;
  projectDocuments?: string[];
  validation?: { notExported?: boolean; invalidLink?: boolean };
};

/** A `projectDocuments` pattern as a regular expression (TypeDoc's globs here use `*` only). */
const globToRegExp = (g: string): RegExp => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

describe('typedoc.json', () => {
  it('fails on warnings, leaves @internal out, validates links and unexported references', () => {
    expect(config.treatWarningsAsErrors).toBe(true);
    expect(config.excludeInternal).toBe(true);
    expect(config.validation).toMatchObject({ notExported: true, invalidLink: true });
  });

  it('every guide and docs/theory.md is a document of the site', () => {
    const docs = ['docs/theory.md', 'docs/index.md', ...readdirSync(join(ROOT, 'docs', 'guide')).filter((f) => f.endsWith('.md')).map((f) => `docs/guide/${f}`)];
    const patterns = (config.projectDocuments ?? []).map(globToRegExp);
    expect(docs.filter((d) => !patterns.some((p) => p.test(d)))).toEqual([]);
    expect(docs).toContain('docs/guide/scaling-out.md');
  });
});

describe('npm run docs', () => {
  it('builds the reference with 0 errors and 0 warnings, without @internal names', () => {
    const out = mkdtempSync(join(tmpdir(), 'lmtransfer-typedoc-'));
    try {
      const typedoc = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
      const r = spawnSync(process.execPath, [typedoc, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 240000 });
      const log = `${r.stdout}${r.stderr}`;
      expect({ status: r.status, warnings: log.split('\n').filter((l) => /warning|error/i.test(l) && !/Found 0 errors and 0 warnings/.test(l)) }).toEqual({ status: 0, warnings: [] });
      expect(existsSync(join(out, 'index.html'))).toBe(true);
      // excludeInternal: an @internal member of a public class has no page or anchor.
      const learner = readdirSync(join(out, 'classes')).find((f) => /^[^.]*\.?Learner\.html$/.test(f));
      expect(learner).toBeDefined();
      const page = readFileSync(join(out, 'classes', learner!), 'utf8');
      expect(page).toContain('represent');
      expect(page).not.toContain('vBuffer');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300000);
});
