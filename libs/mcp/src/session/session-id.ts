import { randomBytes } from 'node:crypto';

/**
 * 144 random bits, base64url: unguessable and within the visible ASCII range the spec requires
 * (MCP 2025-11-25 `basic/transports`, "Session Management").
 */
export const createSessionId = (): string => randomBytes(18).toString('base64url');

/** Rejects header values that could never be one of our ids before any store is asked. */
export const isWellFormedSessionId = (value: string): boolean => /^[\x21-\x7e]{1,128}$/.test(value);
