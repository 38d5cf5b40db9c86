/**
 * The layering of `src/` (see docs/architecture.md#layers): each folder belongs to one layer, and a
 * file may import only from its own layer or the layers below it, with no cycle between files or
 * between folders. Type-only imports count too: a type that a lower layer needs belongs there.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { findCycle, folderOf, importsOf, LAYERS, layerViolations, type ImportGraph } from './importGraph.js';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // AssemblyScript sources compile to WebAssembly; they are not part of the TypeScript graph.
      if (relative(SRC, p) !== join('wasm', 'assembly')) out.push(...sourceFiles(p));
    } else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function buildGraph(): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    const targets = importsOf(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => normalize(join(dirname(from), s.replace(/\.js$/, '.ts'))));
    graph.set(from, targets);
  }
  return graph;
}

describe('import graph of src/', () => {
  const graph = buildGraph();

  test('every folder of src/ has a layer', () => {
    const folders = new Set([...graph.keys()].filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
    const known = new Set(LAYERS.flatMap((l) => l.folders));
    expect([...folders].filter((f) => !known.has(f))).toEqual([]);
  });

  test('no file imports from a higher layer', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  test('no cycle between files', () => {
    expect(findCycle(graph)).toBeNull();
  });

  test('no cycle between folders', () => {
    const folderGraph: ImportGraph = new Map();
    for (const [from, tos] of graph) {
      const a = folderOf(from);
      const list = folderGraph.get(a) ?? [];
      for (const t of tos) {
        const b = folderOf(t);
        if (a !== b && !list.includes(b)) list.push(b);
      }
      folderGraph.set(a, list);
    }
    expect(findCycle(folderGraph)).toBeNull();
  });

  test('imports resolve to files that exist', () => {
    const missing = [...graph].flatMap(([from, tos]) => tos.filter((t) => !graph.has(t)).map((t) => `${from} -> ${t}`));
    expect(missing).toEqual([]);
  });
});

describe('the checks have teeth', () => {
  test('an upward import is reported', () => {
    const planted: ImportGraph = new Map([
      ['kernels/gemmKernel.ts', ['anchor/fitAnchor.ts']],
      ['anchor/fitAnchor.ts', []],
    ]);
    expect(layerViolations(planted)).toEqual(['kernels/gemmKernel.ts (kernels) imports anchor/fitAnchor.ts (domain)']);
  });

  test('a cycle is reported', () => {
    const planted: ImportGraph = new Map([
      ['linalg/a.ts', ['linalg/b.ts']],
      ['linalg/b.ts', ['linalg/c.ts']],
      ['linalg/c.ts', ['linalg/a.ts']],
    ]);
    expect(findCycle(planted)).toEqual(['linalg/a.ts', 'linalg/b.ts', 'linalg/c.ts', 'linalg/a.ts']);
  });

  test('type-only, re-export and dynamic imports are all seen', () => {
    const text = [
      "import type { Matrix } from '../core/matrix.js';",
      "export { gemm } from './gemm.js';",
      "export * from './index.js';",
      "const m = await import('../backend/config.js');",
      "import {",
      "  a,",
      "  b,",
      "} from './multi.js';",
      "// import { x } from './comment.js'",
    ].join('\n');
    expect(importsOf(text)).toEqual(['../core/matrix.js', './gemm.js', './index.js', '../backend/config.js', './multi.js']);
  });
});
