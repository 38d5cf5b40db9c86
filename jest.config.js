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
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 120000,
  maxWorkers: 2,
};
