/**
 * The API reference's configuration (running TypeDoc takes about half a minute, so `npm run docs`
 * itself is the check of its output): warnings are errors, `@internal` members are left out, and
 * the guides and docs/theory.md are documents of the site.
 */
import { readFileSync, readdirSync } from 'node:fs';
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
