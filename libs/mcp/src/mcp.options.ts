import type { IncomingMessage } from 'node:http';
import { principalFromUser, type McpPrincipal } from './auth/mcp-principal.js';
import { resolveMcpAuthOptions, type McpAuthOptions, type ResolvedMcpAuthOptions } from './auth/mcp-auth.options.js';
import type { Implementation, LoggingLevel, ServerCapabilities } from './protocol/mcp.types.js';
import type { SessionHost } from './session/session-host.interface.js';

/**
 * How a request's answer travels (DESIGN.md, "The path of one request"):
 * - `auto`: plain `application/json`, switching to `text/event-stream` the first time a handler
 *   sends something before its result (progress, log, a request to the client);
 * - `json`: always JSON; messages a handler sends before its result go to the GET stream;
 * - `sse`: always an SSE stream, resumable from its first event.
 */
export type McpResponseMode = 'auto' | 'json' | 'sse';

/** Options of `McpModule.forRoot()` / `forRootAsync()`. */
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
   * the endpoint is open (anonymous principal). See README, "Securing the endpoint".
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
  | 'defaultLogLevel';

/** Options with every default applied; what the module's services read. */
export type ResolvedMcpOptions = Omit<McpModuleOptions, DefaultedKeys | 'auth'> &
  Required<Pick<McpModuleOptions, DefaultedKeys>> & { auth?: ResolvedMcpAuthOptions };

/** Origins allowed when `allowedOrigins` is not set: loopback hosts on any port. */
export const LOOPBACK_ORIGINS = ['localhost', '127.0.0.1', '[::1]'].flatMap((host) => [
  `http://${host}:*`,
  `https://${host}:*`,
]);

export function resolveMcpOptions(options: McpModuleOptions): ResolvedMcpOptions {
  if (!options?.name || !options.version) {
    throw new Error('McpModule: the "name" and "version" options are required (they become serverInfo).');
  }
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
    resolvePrincipal: options.resolvePrincipal ?? ((request) => principalFromUser(request.user)),
    auth: options.auth && resolveMcpAuthOptions(options.auth, { resourceName: options.title ?? options.name }),
  };
}
