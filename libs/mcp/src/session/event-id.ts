import { randomBytes } from 'node:crypto';

/** Stream id of a session's standalone stream (the one GET opens). */
export const STANDALONE_STREAM_ID = 'get';

/**
 * SSE event ids encode the stream and the position in it, `<stream>.<seq>`, so `Last-Event-ID`
 * names exactly one stream of the session (MCP 2025-11-25 `basic/transports`, "Resumability and
 * Redelivery": ids are unique per session and SHOULD encode the stream). Sequence 0 is the priming
 * event, before the first message.
 */
export const formatEventId = (streamId: string, seq: number): string => `${streamId}.${seq}`;

export interface EventPosition {
  streamId: string;
  seq: number;
}

export function parseEventId(value: string): EventPosition | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.(0|[1-9][0-9]{0,15})$/.exec(value);
  if (!match) return undefined;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { streamId: match[1], seq } : undefined;
}

/** A fresh id for the stream of one POST request. */
export const createStreamId = (): string => randomBytes(9).toString('base64url');
