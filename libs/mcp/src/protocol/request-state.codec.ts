import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** What a 2026-07-28 `requestState` carries between the rounds of one request. Opaque to clients. */
export interface RequestStatePayload {
  /** Principal key of the caller; another caller cannot redeem the state. */
  principal: string;
  /** Method of the original request, and a digest of its params (without `_meta` and the MRTR fields). */
  method: string;
  digest: string;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
  /** Makes every state unique, so redeeming one can be recorded (single use). */
  nonce: string;
  /** Answers gathered in earlier rounds: key → digest of the question and the client's result. */
  answers: Record<string, { question: string; result: Record<string, unknown> }>;
  /** The questions of the round that produced this state: key → digest. */
  asked: Record<string, string>;
}

/** The `requestState` cannot be opened: altered, truncated, or sealed with another key. */
export class RequestStateIntegrityError extends Error {
  constructor() {
    super('requestState failed its integrity check');
    this.name = 'RequestStateIntegrityError';
  }
}

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('nest-mcp request state v1');

/**
 * Seals request state with AES-256-GCM (authenticated encryption, MCP 2026-07-28
 * `basic/patterns/mrtr`, "Server Requirements"): the client can neither read nor alter it. The key
 * is derived from the module's `requestStateSecret` with HKDF-SHA256, so every instance with the
 * same secret opens what any other sealed.
 */
export class RequestStateCodec {
  private readonly key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'nest-mcp/request-state', 32));
  }

  seal(payload: RequestStatePayload): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(payload), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return VERSION + sealed.toString('base64url');
  }

  /** Opens a state this codec (or one with the same secret) sealed; throws `RequestStateIntegrityError` otherwise. */
  open(token: string): RequestStatePayload {
    if (!token.startsWith(VERSION)) throw new RequestStateIntegrityError();
    const sealed = Buffer.from(token.slice(VERSION.length), 'base64url');
    // base64url decoding skips characters it does not know; re-encoding must give the token back.
    if (sealed.length < IV_BYTES + TAG_BYTES || VERSION + sealed.toString('base64url') !== token) throw new RequestStateIntegrityError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as RequestStatePayload;
    } catch {
      throw new RequestStateIntegrityError();
    }
  }
}

/** JSON with object keys sorted at every level, so equal values always serialize the same way. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short, stable digest of a JSON value (SHA-256 of its canonical JSON, base64url). */
export const digestOf = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 32);
