/**
 * Test helpers for hosts and apps built on `@nest-mcp/mcp`. Runs under Jest, Vitest and
 * `node:test`; assertions use the `expect` package (an optional peer, installed with Jest).
 */
export {
  describeSessionHostContract,
  sessionMetadata,
  type ContractTestRunner,
  type SessionHostContractOptions,
} from './session-host.contract.js';
