/**
 * Modules reachable from the root entry must not use Node: no `node:*` import, no `process` or
 * `Buffer` global, outside `src/backend/` (whose Node-specific parts sit behind the platform module
 * chosen by the package's export conditions). Checked on the browser bundle esbuild makes of
 * `src/index.ts` — the same bundle an application's build would make — file by file.
 */
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..', '..');

/** Files allowed to touch Node: the backend's platform seam. */
const ALLOWED = /^src\/backend\//;

/** Each bundled source file with what it uses of Node. */
async function nodeUses(entry: string): Promise<Map<string, Set<string>>> {
  const r = await build({
    entryPoints: [join(root, entry)], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true,
    external: ['node:*'], logLevel: 'silent', absWorkingDir: root,
    // The sources' platform seam: `#platform` resolves to the browser module under these conditions
    // (the repository's tsconfig `paths` entry, for tsc, would otherwise pick the Node one).
    conditions: ['lmtransfer-source'], tsconfigRaw: {},
  });
  const uses = new Map<string, Set<string>>();
  const add = (file: string, what: string): void => {
    if (!uses.has(file)) uses.set(file, new Set());
    uses.get(file)!.add(what);
  };
  for (const [file, input] of Object.entries(r.metafile.inputs)) {
    for (const imp of input.imports) if (imp.path.startsWith('node:')) add(file, imp.path);
  }
  // Unminified bundles mark each file's code with a `// path` comment line; attribute globals by it.
  let file = '';
  for (const line of r.outputFiles[0].text.split('\n')) {
    const marker = /^\/\/ (src\/\S+\.ts)$/.exec(line);
    if (marker) file = marker[1];
    else if (/(?<![\w.$'"`])(process|Buffer)\s*[.[(]/.test(line)) add(file, /(?<![\w.$'"`])(process|Buffer)/.exec(line)![1]);
  }
  return uses;
}

describe('the root entry outside the backend is free of Node', () => {
  it('imports no node:* module and reads no process or Buffer', async () => {
    const uses = await nodeUses('src/index.ts');
    const offending = [...uses].filter(([f]) => !ALLOWED.test(f)).map(([f, w]) => `${f}: ${[...w].join(', ')}`);
    expect(offending).toEqual([]);
  });

  it('finds them where they are (the check can fail)', async () => {
    // The command line reads process.argv and node:fs: the scan must see both.
    const uses = await nodeUses('src/cli/index.ts');
    const cli = [...uses].filter(([f]) => f.startsWith('src/cli/')).flatMap(([, w]) => [...w]);
    expect(cli).toEqual(expect.arrayContaining(['process', 'node:fs']));
  });
});
