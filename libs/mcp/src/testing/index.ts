/** Test helpers for hosts and apps built on `@nest-mcp/mcp` (needs Jest: imports `@jest/globals`). */
export {
  describeSessionHostContract,
  sessionMetadata,
  type SessionHostContractOptions,
} from './session-host.contract.js';
