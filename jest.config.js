/**
 * Jest runs the TypeScript tests through @swc/jest (no type-check; `tsc --noEmit` does that as a
 * separate step of `npm test`). Source files import with `.js` specifiers as NodeNext requires, so
 * the mapper strips the extension for jest's resolver.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // `#platform` (package.json `imports`) is the Node implementation under jest.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^#platform$': '<rootDir>/src/platform/node.ts' },
  // Inside jest's sandbox every lookup of a global such as Math costs ~0.5 µs (jestjs/jest#5163):
  // `Math.exp` measured 780 ns per call against 23 ns with Math injected. Numerical kernels call it
  // millions of times, so inject it.
  sandboxInjectedGlobals: ['Math'],
  testTimeout: 120000,
  maxWorkers: 2,
};
