#!/usr/bin/env node
// The package binary runs the compiled CLI: dist/ is built before publishing (`npm pack` runs
// `npm run build` through `prepack`) and, in a clone, by `npm run build` or `npm test`.
import '../dist/cli/run.js';
