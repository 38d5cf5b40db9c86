/**
 * Every TSDoc `@example` in src/ is executed. Each example becomes an ES module of its own and runs
 * in one child process (tsx), in a scratch directory that holds the files examples read (`V.npy`,
 * `H.npy`, `model.safetensors`). Names an example uses without declaring or importing come, in
 * this order, from the file the example documents (internal helpers are documented there), from
 * the package root, or from the small set of fixtures in `exampleFixtures.ts` (`V`, `H`, … — the
 * "your matrices" of the examples). An example fails when it throws, when a name resolves nowhere,
 * or when a value disagrees with its `// → value` or `// returns value` comment (also
 * `// returns value; x = [...]` for an output argument), compared exactly for strings and
 * booleans, to 1e-12 relative for numbers, element-wise for arrays and typed arrays, and on the
 * listed keys for objects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

export interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** The fence's info string (`ts`, `typescript` or empty for code that runs). */
  readonly lang: string;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (!p.endsWith(join('wasm', 'assembly'))) sourceFiles(p, out);
    } else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * The fenced code of every `@example` tag of a file, without the comment's ` * ` margin, with the
 * fence's info string: the test refuses any other than `ts`/`typescript`/none (there is no
 * "illustrative" example that is shown but not run; one on the user's own files reads the fixture
 * files that `prepareScratch` writes under the same names).
 */
export function extractExamples(file: string, text: string): Example[] {
  const out: Example[] = [];
  // The fence must follow the tag within the same comment: the lines between start with `*` but not `*/`.
  const re = /@example[^\n]*\n((?:[ \t]*\*(?!\/)[^\n]*\n)*?)[ \t]*\*[ \t]*```([^\n`]*)\n([\s\S]*?)\n[ \t]*\*[ \t]*```/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    const code = m[3]
      .split('\n')
      .map((l) => l.replace(/^[ \t]*\* ?/, ''))
      .join('\n');
    out.push({ file, line, code, lang: m[2].trim() });
  }
  return out;
}

/** Identifiers an example uses but neither declares nor imports (property names and keys excluded). */
export function freeNames(code: string): Set<string> {
  const sf = ts.createSourceFile('x.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const used = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) declared.add(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) bind(n.name);
    if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) declared.add(n.name.text);
    if (ts.isImportSpecifier(n) || ts.isNamespaceImport(n) || ts.isImportClause(n)) if (n.name) declared.add(n.name.text);
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isKey =
        (ts.isPropertyAccessExpression(p) && p.name === n) ||
        (ts.isPropertyAssignment(p) && p.name === n) ||
        (ts.isBindingElement(p) && p.propertyName === n) ||
        (ts.isPropertySignature(p) && p.name === n) ||
        ts.isTypeReferenceNode(p) ||
        (ts.isQualifiedName(p) && p.right === n) ||
        ts.isImportSpecifier(p) ||
        ts.isCatchClause(p);
      if (!isKey) used.add(n.text);
    }
    if (ts.isCatchClause(n) && n.variableDeclaration) bind(n.variableDeclaration.name);
    if (ts.isShorthandPropertyAssignment(n)) used.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  for (const d of declared) used.delete(d);
  for (const g of Object.getOwnPropertyNames(globalThis)) used.delete(g);
  for (const k of ['undefined', 'require', 'process', 'console', 'Buffer']) used.delete(k);
  return used;
}

/**
 * Turn `expr; // → v` (or `// returns v; out = [..]`, also on the next line alone) into checks.
 * The checks call `__check(actual, () => expected, text)`, defined by the runner.
 */
export function instrument(code: string): string {
  const lines = code.split('\n');
  // A comment line of its own (`// returns …`) describes the statement above it.
  for (let i = 1; i < lines.length; i++) {
    const m = /^\s*\/\/\s*(→|returns)\s+(.*)$/.exec(lines[i]);
    if (!m) continue;
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    if (j >= 0 && !lines[j].includes('//')) {
      lines[j] = `${lines[j]} // ${m[1]} ${m[2]}`;
      lines[i] = '';
    }
  }
  return lines
    .map((line) => {
      // `stmt; // throws ShapeError: …` must throw that error class; `throw f(); // "message"` must throw.
      const t = /^(\s*)(.*?);?\s*\/\/\s*throws(?!\s+unless)(?:\s+([A-Z]\w*))?/.exec(line);
      if (t && t[2].trim() !== '' && !/[{}]/.test(t[2])) return `${t[1]}__throws(() => { ${t[2]}; }, ${t[3] ? JSON.stringify(t[3]) : 'null'});`;
      const th = /^(\s*)(throw\s.*?);?\s*(?:\/\/.*)?$/.exec(line);
      if (th) return `${th[1]}__throws(() => { ${th[2]}; }, null);`;
      const m = /^(\s*)(.*?);?\s*\/\/\s*(→|returns)\s+(.*?)\s*$/.exec(line);
      if (!m || m[2].trim() === '') return line;
      const [, indent, stmt, , expected] = m;
      const [value, ...outs] = expected.split(/;\s*/);
      const text = JSON.stringify(expected);
      const decl = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/.exec(stmt);
      const checks = outs
        .map((o) => /^([A-Za-z_$][\w$.[\]]*)\s*=\s*(.+)$/.exec(o))
        .filter((o): o is RegExpExecArray => o !== null)
        .map((o) => `__check(${o[1]}, () => (${o[2]}), ${JSON.stringify(o[0])});`)
        .join(' ');
      if (decl) return `${indent}${stmt}; __check(${decl[1]}, () => (${value}), ${text}); ${checks}`;
      return `${indent}__check((${stmt}), () => (${value}), ${text}); ${checks}`;
    })
    .join('\n');
}

// The worker's entry script starts serving tasks when loaded: it is a program, not a module of the library.
const files = sourceFiles(join(ROOT, 'src')).filter((f) => !f.endsWith(join('backend', 'worker.ts')));
// Every module's examples run, `@internal` ones included (they document the plumbing for the
// people who maintain it, and a wrong example there misleads as much as in the public API).
const texts = new Map(files.map((f) => [relative(ROOT, f), readFileSync(f, 'utf8')]));
const examples = [...texts].flatMap(([f, text]) => extractExamples(f, text));
/** `@example` tags in TSDoc (a line ` * @example`), per file: each must have been extracted. */
const exampleTags = (text: string): number => (text.match(/^[ \t]*\*[ \t]*@example\b/gm) ?? []).length;

describe('TSDoc @example blocks', () => {
  it('are found (the extractor works) and every exported function of src/cli has one', () => {
    expect(examples.length).toBeGreaterThan(100);
    expect(examples.some((e) => e.file === join('src', 'cli', 'flags.ts') && e.code.includes('editDistance'))).toBe(true);
  });

  it('every @example tag has a fenced example that runs: none is marked illustrative, none lacks its fence', () => {
    const problems: string[] = [];
    for (const [f, text] of texts) {
      const found = examples.filter((e) => e.file === f);
      if (found.length !== exampleTags(text)) problems.push(`${f}: ${exampleTags(text)} @example tags but ${found.length} fenced examples`);
      for (const e of found) if (!['', 'ts', 'typescript'].includes(e.lang)) problems.push(`${f}:${e.line}: fenced as '${e.lang}': every example runs (write the files it reads in exampleFixtures.ts)`);
    }
    expect(problems).toEqual([]);
    // The extractor sees through an info string, and does not run past the end of a comment.
    expect(extractExamples('x.ts', '/**\n * @example\n * ```ts illustrative\n * f();\n * ```\n */').map((e) => [e.lang, e.code])).toEqual([['ts illustrative', 'f();']]);
    expect(extractExamples('x.ts', '/**\n * @example\n * f();\n */\n/**\n * ```ts\n * g();\n * ```\n */')).toEqual([]);
    // Internal modules are included (their examples run too).
    expect(examples.some((e) => e.file === join('src', 'kernels', 'softmaxKernel.ts'))).toBe(true);
  });

  it('the instrumentation checks → and returns comments, and free names are found', () => {
    expect(instrument('f(1); // → 2')).toBe('__check((f(1)), () => (2), "2"); ');
    expect(instrument('const x = g(); // → [1, 2]')).toBe('const x = g(); __check(x, () => ([1, 2]), "[1, 2]"); ');
    expect(instrument('h(out);\n// returns Math.log(2); out = [1, 2]')).toContain('__check(out, () => ([1, 2]), "out = [1, 2]");');
    expect([...freeNames('const a = fromRows([[1]]); a.rows; toRows(a); const { b } = c; try {} catch (e) { e; }')].sort()).toEqual(['c', 'fromRows', 'toRows']);
  });

  it('every example runs, and agrees with its → and returns comments', () => {
    // Inside the repository, so that an example's imports of the library's dependencies (ml-matrix,
    // @tensorflow/tfjs) resolve from its node_modules.
    const scratch = mkdtempSync(join(ROOT, 'node_modules', '.lmtransfer-examples-'));
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = Object.keys(require('../../src/index.js') as object);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fixtures = Object.keys(require('./exampleFixtures.js') as object);
      const url = (p: string): string => pathToFileURL(join(ROOT, p)).href;
      const problems: string[] = [];
      const modules: string[] = [];
      const where: Record<string, string> = {};
      // Names an example may use from anywhere in src/ (internal helpers documented beside each
      // other) or from node:fs, after its own file and the package root.
      const anywhere = new Map<string, string>();
      for (const f of files) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        for (const k of Object.keys(require(f) as object)) if (!anywhere.has(k)) anywhere.set(k, url(relative(ROOT, f)));
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeFs = Object.keys(require('node:fs') as object);
      examples.forEach((ex, i) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const own = Object.keys(require(join(ROOT, ex.file)) as object);
        const imports: string[] = [];
        const unresolved: string[] = [];
        const body = ex.code.replace(/from\s+'lmtransfer'/g, `from '${url('src/index.ts')}'`);
        const [fromOwn, fromLib, fromFix, fromFs] = [[], [], [], []] as string[][];
        const fromElsewhere = new Map<string, string[]>();
        for (const name of freeNames(body)) {
          if (own.includes(name)) fromOwn.push(name);
          else if (lib.includes(name)) fromLib.push(name);
          else if (anywhere.has(name)) fromElsewhere.set(anywhere.get(name)!, [...(fromElsewhere.get(anywhere.get(name)!) ?? []), name]);
          else if (nodeFs.includes(name)) fromFs.push(name);
          else if (fixtures.includes(name)) fromFix.push(name);
          else unresolved.push(name);
        }
        for (const [u, names] of fromElsewhere) imports.push(`import { ${names.join(', ')} } from '${u}';`);
        if (fromFs.length) imports.push(`import { ${fromFs.join(', ')} } from 'node:fs';`);
        if (unresolved.length > 0) problems.push(`${ex.file}:${ex.line}: uses ${unresolved.join(', ')}, which nothing defines`);
        if (fromOwn.length) imports.push(`import { ${fromOwn.join(', ')} } from '${url(ex.file)}';`);
        if (fromLib.length) imports.push(`import { ${fromLib.join(', ')} } from '${url('src/index.ts')}';`);
        if (fromFix.length) imports.push(`import { ${fromFix.join(', ')} } from '${url('test/docs/exampleFixtures.ts')}';`);
        // Import lines of the example itself go first (ES modules hoist them anyway).
        const code = instrument(body);
        const own_imports = code.split('\n').filter((l) => /^\s*import\s/.test(l));
        const rest = code.split('\n').filter((l) => !/^\s*import\s/.test(l));
        const src = [...imports, ...own_imports, `const __check = (globalThis as any).__check;`, `const __throws = (globalThis as any).__throws;`, ...rest, 'export {};'].join('\n');
        const name = `ex${String(i).padStart(3, '0')}.mts`;
        writeFileSync(join(scratch, name), src);
        modules.push(name);
        where[name] = `${ex.file}:${ex.line}`;
      });
      writeFileSync(
        join(scratch, 'runner.mts'),
        `import { prepareScratch, check, throws } from '${url('test/docs/exampleFixtures.ts')}';
await prepareScratch();
(globalThis as any).__check = check;
(globalThis as any).__throws = throws;
const where: Record<string, string> = ${JSON.stringify(where)};
const failures: string[] = [];
let ran = 0;
for (const m of ${JSON.stringify(modules)}) {
  try {
    await import('./' + m);
    ran++;
  } catch (e) {
    failures.push(where[m] + ' (' + m + '): ' + String((e as Error)?.message ?? e).split('\\n').slice(0, 3).join(' | '));
  }
}
process.stdout.write(JSON.stringify({ ran, failures }));
process.exit(0);
`,
      );
      const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
      const out = execFileSync(process.execPath, ['--import', pathToFileURL(tsx).href, join(scratch, 'runner.mts')], {
        cwd: scratch,
        encoding: 'utf8',
        env: { ...process.env, LMTRANSFER_THREADS: '1' },
        timeout: 300000,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const result = JSON.parse(out.slice(out.lastIndexOf('{"ran"'))) as { ran: number; failures: string[] };
      expect([...problems, ...result.failures]).toEqual([]);
      expect(result.ran).toBe(examples.length);
    } finally {
      if (!process.env.KEEP_EXAMPLES) rmSync(scratch, { recursive: true, force: true });
    }
  }, 300000);
});
