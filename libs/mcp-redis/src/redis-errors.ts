import { SessionHostUnavailableError } from '@nest-mcp/mcp';

/** Redis replies that mean "not now" rather than "wrong command": loading, failover, cluster reshaping. */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|READONLY|MASTERDOWN|TRYAGAIN|BUSY|NOREPLICAS)\b/;

/**
 * The error a host operation rejects with: connection problems, timeouts and transient replies
 * become `SessionHostUnavailableError` (the transport answers 503 + Retry-After); any other reply
 * error is a bug and is passed on unchanged.
 */
export function toHostError(error: unknown): unknown {
  if (error instanceof SessionHostUnavailableError) return error;
  if (error instanceof Error && error.name === 'ReplyError' && !TRANSIENT_REPLY.test(error.message)) return error;
  return new SessionHostUnavailableError('The Redis session store is unavailable.', { cause: error });
}
