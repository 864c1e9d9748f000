/** Jest in native ESM mode (Nest 12 packages are ESM-only), TypeScript through SWC. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test', '<rootDir>/docs/snippets'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@nest-mcp/mcp$': '<rootDir>/libs/mcp/src/index.ts',
    '^@nest-mcp/mcp/testing$': '<rootDir>/libs/mcp/src/testing/index.ts',
    '^@nest-mcp/mcp/terminus$': '<rootDir>/libs/mcp/src/terminus/index.ts',
    '^@nest-mcp/mcp/auth$': '<rootDir>/libs/mcp/src/auth/index.ts',
    '^@nest-mcp/mcp-redis$': '<rootDir>/libs/mcp-redis/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        module: { type: 'es6' },
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/require-test-programs.mjs',
};
