/**
 * Helpers of the layering test: the layer table, an import scanner and a cycle finder.
 */

/** A graph from a file (or folder) to what it imports, paths relative to `src/`. */
export type ImportGraph = Map<string, string[]>;

/**
 * The layers of `src/`, lowest first. A folder may import from its own layer and the layers below.
 * Inside a layer, folders may import each other as long as no cycle forms (checked separately).
 */
export const LAYERS: readonly { name: string; folders: readonly string[] }[] = [
  // Types, errors, argument checks, the platform seam: import nothing of the library.
  { name: 'core', folders: ['core', 'platform'] },
  // Plain loops over flat typed arrays, and the WebAssembly module they compile to.
  { name: 'kernels', folders: ['kernels', 'wasm'] },
  // One Backend interface: where and on how many threads a kernel runs.
  { name: 'backend', folders: ['backend'] },
  // Public numerical operations: check arguments once, then call the backend or a kernel.
  { name: 'ops', folders: ['linalg', 'softmax', 'loss', 'random'] },
  // The paper's objects.
  { name: 'domain', folders: ['model', 'train', 'tasks', 'anchor', 'theory', 'io', 'interop'] },
  // What a person runs: experiments, figures, the command line, and the package entry points.
  { name: 'application', folders: ['figures', 'experiments', 'cli', '.'] },
];

/**
 * Package entry points that gather a subpath from several folders (`lmtransfer/figures` also offers
 * the experiment figure renderer): they sit with `src/index.ts` at the top, whatever their folder.
 */
export const ENTRY_POINTS: readonly string[] = ['figures/index.ts'];

/** The folder a file counts in: its first path segment, or `.` for the package entry points. */
export function folderOf(file: string): string {
  if (ENTRY_POINTS.includes(file) || !file.includes('/')) return '.';
  return file.split('/')[0];
}

function layerOf(file: string): { index: number; name: string } {
  const folder = folderOf(file);
  const index = LAYERS.findIndex((l) => l.folders.includes(folder));
  return { index, name: index < 0 ? `unknown folder ${folder}` : LAYERS[index].name };
}

/** Every import that goes up a layer, as `from (layer) imports to (layer)`. */
export function layerViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, tos] of graph) {
    const a = layerOf(from);
    for (const to of tos) {
      const b = layerOf(to);
      if (a.index < 0 || b.index < 0 || b.index > a.index) out.push(`${from} (${a.name}) imports ${to} (${b.name})`);
    }
  }
  return out;
}

/** The module specifiers a TypeScript file imports or re-exports (static, type-only and dynamic). */
export function importsOf(text: string): string[] {
  // Drop comments first so that an import quoted in a comment does not count.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const re = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** One cycle of the graph as a closed path (first node repeated at the end), or null. */
export function findCycle(graph: ImportGraph): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 1) return [...stack.slice(stack.indexOf(next)), next];
      if (s === undefined && graph.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}
