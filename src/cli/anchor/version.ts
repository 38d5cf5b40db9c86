/** The library version for reports, read from the package's own package.json. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The `version` of the `lmtransfer` package.json found by walking up from the running script
 * (`bin/lmtransfer.js` of an installed package) and then from the working directory; `'unknown'`
 * when neither leads to one (a bundled copy run from elsewhere).
 *
 * @example
 * ```ts
 * libraryVersion(); // '0.1.0'
 * ```
 */
export function libraryVersion(): string {
  if (cached !== undefined) return cached;
  for (const start of [process.argv[1] ? dirname(process.argv[1]) : undefined, process.cwd()]) {
    let dir = start;
    while (dir) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'lmtransfer' && typeof pkg.version === 'string') return (cached = pkg.version);
      } catch {
        // no package.json here, or not JSON: keep walking up
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return (cached = 'unknown');
}
