import type { IncomingMessage } from 'node:http';
import { principalFromUser, type McpPrincipal } from './auth/mcp-principal.js';
import { checkCacheHint, type McpCacheHint } from './dispatch/cache-hints.js';
import { resolveMcpAuthOptions, type McpAuthOptions, type ResolvedMcpAuthOptions } from './auth/mcp-auth.options.js';
import { resolveMcpTasksOptions, type McpTasksOptions, type ResolvedMcpTasksOptions } from './tasks/mcp-tasks.options.js';
import type { Implementation, LoggingLevel, ServerCapabilities } from './protocol/mcp.types.js';
import {
  isModernProtocolVersion,
  isSupportedProtocolVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ProtocolVersion,
} from './protocol/protocol-version.js';
import type { SessionHost } from './session/session-host.interface.js';

/**
 * How a request's answer travels (docs/architecture.md, "The path of one request"):
 * - `auto`: plain `application/json`, switching to `text/event-stream` the first time a handler
 *   sends something before its result (progress, log, a request to the client);
 * - `json`: always JSON; messages a handler sends before its result go to the GET stream;
 * - `sse`: always an SSE stream, resumable from its first event.
 */
export type McpResponseMode = 'auto' | 'json' | 'sse';

/**
 * Options of `McpModule.forRoot()` / `forRootAsync()`. The `Implementation` fields (`name`,
 * `version`, `title`, `description`, `websiteUrl`, `icons`) become the `serverInfo` of `initialize`.
 */
export interface McpModuleOptions extends Implementation {
  /** Text the client may add to the model's context (`InitializeResult.instructions`). */
  instructions?: string;
  /**
   * Where sessions live. Default: a `MemorySessionHost` owned (and closed) by the module. Pass a
   * shared host (Redis) to serve any session from any instance.
   */
  sessionHost?: SessionHost;
  /** Default `auto`. */
  responseMode?: McpResponseMode;
  /**
   * Origins a browser may call from (MCP 2025-11-25 `basic/transports`, "Security Warning"):
   * requests with any other `Origin` get 403. Requests without `Origin` are always allowed.
   * Entries are origins (`https://app.example.com`); `:*` allows any port (`http://localhost:*`).
   * Default: `localhost`, `127.0.0.1` and `[::1]` over http(s) on any port. `'*'` allows every origin.
   */
  allowedOrigins?: string[] | '*';
  /** Largest accepted POST body in bytes; larger ones get 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** A session expires after this long without a request. Default 30 minutes. */
  sessionIdleTtlMs?: number;
  /** A session expires this long after it was created, however active. Default 24 hours. */
  sessionMaxLifetimeMs?: number;
  /** Interval of `: keepalive` comments on idle SSE streams; 0 disables them. Default 15 s. */
  sseKeepaliveMs?: number;
  /** `retry:` value sent in the priming event: how long clients wait before reconnecting. Default 1 s. */
  sseRetryMs?: number;
  /**
   * Bytes an SSE response may hold unsent before the stream is closed so that a slow client
   * resumes with `Last-Event-ID` instead of growing memory. Default 4 MiB.
   */
  sseHighWaterBytes?: number;
  /** How long `ctx.sample()`, `ctx.elicit()` and `ctx.listRoots()` wait for the client. Default 60 s. */
  clientRequestTimeoutMs?: number;
  /**
   * Caching hints of 2026-07-28 results (`ttlMs`, `cacheScope` on `server/discover`, every list and
   * `resources/read`); items override them with their own `cache` option. Default
   * `{ ttlMs: 0, scope: 'private' }`: always re-fetched, never shared between users.
   */
  cache?: McpCacheHint;
  /**
   * Protocol revisions served, from `SUPPORTED_PROTOCOL_VERSIONS`. Default: all of them, so stateless
   * 2026-07-28 requests and 2025 sessions share the endpoint (docs/protocol-versions.md). Leave
   * out `2026-07-28` to serve sessions only, or the 2025 revisions to serve stateless requests only.
   */
  protocolVersions?: ProtocolVersion[];
  /**
   * Key sealing the `requestState` of 2026-07-28 multi round-trip requests (AES-256-GCM, so the
   * client can neither read nor alter it): at least 32 bytes, the same on every instance, so that a
   * retry may reach any of them. Required with `NODE_ENV=production` when 2026-07-28 is served;
   * elsewhere a random key per process is used and a warning logged (retries then only work on
   * the instance that asked).
   */
  requestStateSecret?: string | Uint8Array;
  /** How long the client has to answer and retry a 2026-07-28 `input_required` result. Default 10 minutes. */
  requestStateTtlMs?: number;
  /** Most `subscriptions/listen` streams one process keeps open; more get 503 + `Retry-After`. Default 10,000. */
  maxListens?: number;
  /**
   * How long an instance keeps its lease in the session host without renewing it (it renews five
   * times per period). When an instance dies, another one ends its unfinished streams with a
   * retryable error within `leaseTtlMs + orphanSweepIntervalMs`. Default 5 s.
   */
  leaseTtlMs?: number;
  /** How often every instance looks for streams of instances whose lease lapsed. Default 2 s. */
  orphanSweepIntervalMs?: number;
  /**
   * On shutdown, how long running requests may go on (their output stays resumable on any
   * instance) before they are answered with a retryable error. New requests get 503 meanwhile.
   * Default 10 s. Tasks running here get the same grace, then fail with a status message saying
   * the instance stopped.
   */
  shutdownGraceMs?: number;
  /** Limits and timing of tasks (tools with `task: 'optional' | 'required'`, docs/tasks.md). */
  tasks?: McpTasksOptions;
  /**
   * Most sessions one principal (issuer + subject) may hold, and what `initialize` does beyond it:
   * end that principal's least recently active session (`end-least-active`, the default) or refuse
   * with 429 (`refuse`). Without it, only the session host's own limit applies — one token holder
   * could then fill it. Checked at `initialize`: initializes running at once may pass it by as
   * many. Anonymous callers count as one principal.
   */
  sessionsPerPrincipal?: { max: number; whenFull?: 'end-least-active' | 'refuse' };
  /**
   * How long after its GET stream was last open a session still gets `notifyAll`,
   * `notifyResourceUpdated` and `list_changed` notifications logged, so a client that reconnects
   * (to any instance) within it receives them on resume. Default 60 s.
   */
  notificationWindowMs?: number;
  /**
   * Refuse to start when the session host cannot be reached at startup. By default the app starts,
   * the MCP endpoint answers 503 + `Retry-After` and `McpReadiness` reports not ready until the
   * host is reachable, then everything is served.
   */
  failFastOnStartup?: boolean;
  /** Items per page of `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`. Default 100. */
  pageSize?: number;
  /**
   * Minimum level of `ctx.log()` messages sent before the client chose one with `logging/setLevel`.
   * Default `info`.
   */
  defaultLogLevel?: LoggingLevel;
  /**
   * Capabilities to advertise beyond what is registered at bootstrap, e.g. `{ tools: { listChanged:
   * true } }` for an app that adds its first tool at run time with `McpRegistry`.
   */
  capabilities?: ServerCapabilities;
  /**
   * Reads the caller from the request. Default: `request.user` as set by Passport and Nest auth
   * guards (JWT claims, an `McpPrincipal`, or any object with an `id`); anonymous without one.
   */
  resolvePrincipal?: (request: IncomingMessage & { user?: unknown }) => McpPrincipal;
  /**
   * Makes the endpoint an OAuth 2.1 resource server: bearer tokens checked against `issuer` and
   * `audience`, Protected Resource Metadata served, sessions bound to (issuer, subject). Without it
   * the endpoint is open (anonymous principal). See docs/auth.md.
   */
  auth?: McpAuthOptions;
  /**
   * Public base URL of the app as clients reach it (`https://mcp.example.com`), used for the URLs
   * in Protected Resource Metadata and `WWW-Authenticate`. Default: from `X-Forwarded-*` /
   * `Forwarded` when `trustProxy` is set, else from the request's `Host` and connection.
   */
  publicUrl?: string;
  /** Read the public scheme and host from `Forwarded` / `X-Forwarded-Proto` / `X-Forwarded-Host`. Default `false`. */
  trustProxy?: boolean;
  /**
   * Log a warning at startup when the endpoint has no `auth` and the server listens beyond
   * loopback. Default `true`; set `false` when your own guards authenticate the endpoint.
   */
  warnWhenOpen?: boolean;
}

/** Options of the module definition itself, fixed when the module is imported. */
export interface McpModuleExtras {
  /** Path of the MCP endpoint, below the app's global prefix. Default `/mcp`. */
  path?: string;
}

type DefaultedKeys =
  | 'responseMode'
  | 'allowedOrigins'
  | 'maxBodyBytes'
  | 'sessionIdleTtlMs'
  | 'sessionMaxLifetimeMs'
  | 'sseKeepaliveMs'
  | 'sseRetryMs'
  | 'sseHighWaterBytes'
  | 'resolvePrincipal'
  | 'clientRequestTimeoutMs'
  | 'pageSize'
  | 'defaultLogLevel'
  | 'cache'
  | 'protocolVersions'
  | 'requestStateTtlMs'
  | 'maxListens'
  | 'leaseTtlMs'
  | 'orphanSweepIntervalMs'
  | 'shutdownGraceMs'
  | 'notificationWindowMs';

/** Options with every default applied; what the module's services read. */
export type ResolvedMcpOptions = Omit<McpModuleOptions, DefaultedKeys | 'auth' | 'cache' | 'tasks'> &
  Required<Pick<McpModuleOptions, Exclude<DefaultedKeys, 'cache'>>> & {
    auth?: ResolvedMcpAuthOptions;
    cache: Required<McpCacheHint>;
    tasks: ResolvedMcpTasksOptions;
  };

/** Origins allowed when `allowedOrigins` is not set: loopback hosts on any port. */
export const LOOPBACK_ORIGINS = ['localhost', '127.0.0.1', '[::1]'].flatMap((host) => [`http://${host}:*`, `https://${host}:*`]);

export function resolveMcpOptions(options: McpModuleOptions): ResolvedMcpOptions {
  if (!options?.name || !options.version) {
    throw new Error('McpModule: the "name" and "version" options are required (they become serverInfo).');
  }
  checkCacheHint(options.cache, 'McpModule');
  const protocolVersions = options.protocolVersions ?? [...SUPPORTED_PROTOCOL_VERSIONS];
  checkProtocolOptions(options, protocolVersions);
  return {
    ...options,
    responseMode: options.responseMode ?? 'auto',
    allowedOrigins: options.allowedOrigins ?? LOOPBACK_ORIGINS,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    sessionIdleTtlMs: options.sessionIdleTtlMs ?? 30 * 60 * 1000,
    sessionMaxLifetimeMs: options.sessionMaxLifetimeMs ?? 24 * 60 * 60 * 1000,
    sseKeepaliveMs: options.sseKeepaliveMs ?? 15_000,
    sseRetryMs: options.sseRetryMs ?? 1_000,
    sseHighWaterBytes: options.sseHighWaterBytes ?? 4 * 1024 * 1024,
    clientRequestTimeoutMs: options.clientRequestTimeoutMs ?? 60_000,
    pageSize: options.pageSize ?? 100,
    defaultLogLevel: options.defaultLogLevel ?? 'info',
    cache: { ttlMs: options.cache?.ttlMs ?? 0, scope: options.cache?.scope ?? 'private' },
    protocolVersions,
    requestStateTtlMs: options.requestStateTtlMs ?? 10 * 60 * 1000,
    maxListens: options.maxListens ?? 10_000,
    leaseTtlMs: options.leaseTtlMs ?? 5_000,
    orphanSweepIntervalMs: options.orphanSweepIntervalMs ?? 2_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    notificationWindowMs: options.notificationWindowMs ?? 60_000,
    resolvePrincipal: options.resolvePrincipal ?? ((request) => principalFromUser(request.user)),
    auth: options.auth && resolveMcpAuthOptions(options.auth, { resourceName: options.title ?? options.name }),
    tasks: resolveMcpTasksOptions(options.tasks),
  };
}

/** Minimum length of `requestStateSecret` (256 bits). */
export const MIN_REQUEST_STATE_SECRET_BYTES = 32;

function checkProtocolOptions(options: McpModuleOptions, protocolVersions: readonly string[]): void {
  const unknown = protocolVersions.filter((version) => !isSupportedProtocolVersion(version));
  if (protocolVersions.length === 0 || unknown.length > 0) {
    throw new Error(
      `McpModule: "protocolVersions" must list revisions from ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}` +
        (unknown.length > 0 ? `; unknown: ${unknown.join(', ')}.` : '.'),
    );
  }
  const secret = options.requestStateSecret;
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_REQUEST_STATE_SECRET_BYTES) {
    throw new Error(
      `McpModule: "requestStateSecret" must be at least ${MIN_REQUEST_STATE_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  if (secret === undefined && process.env.NODE_ENV === 'production' && protocolVersions.some(isModernProtocolVersion)) {
    throw new Error(
      'McpModule: "requestStateSecret" is required in production when 2026-07-28 is served: the same random value ' +
        `(${MIN_REQUEST_STATE_SECRET_BYTES}+ bytes) on every instance, e.g. from an environment variable such as MCP_REQUEST_STATE_SECRET.`,
    );
  }
  if (options.requestStateTtlMs !== undefined && !(Number.isSafeInteger(options.requestStateTtlMs) && options.requestStateTtlMs > 0)) {
    throw new Error('McpModule: "requestStateTtlMs" must be a positive whole number of milliseconds.');
  }
  if (options.maxListens !== undefined && !(Number.isSafeInteger(options.maxListens) && options.maxListens >= 0)) {
    throw new Error('McpModule: "maxListens" must be a whole number, 0 or more.');
  }
  const perPrincipal = options.sessionsPerPrincipal;
  if (perPrincipal && !(Number.isSafeInteger(perPrincipal.max) && perPrincipal.max >= 1)) {
    throw new Error('McpModule: "sessionsPerPrincipal.max" must be a whole number, 1 or more.');
  }
  if (perPrincipal?.whenFull !== undefined && !['end-least-active', 'refuse'].includes(perPrincipal.whenFull)) {
    throw new Error('McpModule: "sessionsPerPrincipal.whenFull" must be "end-least-active" or "refuse".');
  }
  for (const name of ['leaseTtlMs', 'orphanSweepIntervalMs', 'shutdownGraceMs', 'notificationWindowMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= (name === 'shutdownGraceMs' ? 0 : 1))) {
      throw new Error(
        `McpModule: "${name}" must be a whole number of milliseconds${name === 'shutdownGraceMs' ? ', 0 or more' : ' above 0'}.`,
      );
    }
  }
}
