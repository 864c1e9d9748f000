/** Limits and timing of tasks (`McpModule` option `tasks`, docs/tasks.md). */
export interface McpTasksOptions {
  /** Most unexpired tasks one principal (in 2025, one session of it) may have; one more is refused. Default 100. */
  maxPerOwner?: number;
  /** Largest result (or error) a task may store, in bytes of JSON; a larger one fails the task. Default 1 MiB. */
  maxResultBytes?: number;
  /** How long a task is kept from its creation when the client asks for no `ttl`. Default 1 hour. */
  defaultTtlMs?: number;
  /** The longest `ttl` granted, whatever the client asks. Default 24 hours. */
  maxTtlMs?: number;
  /** How often clients are told to poll a task (`pollInterval`, `pollIntervalMs`). Default 1 s. */
  pollIntervalMs?: number;
}

export type ResolvedMcpTasksOptions = Required<McpTasksOptions>;

export function resolveMcpTasksOptions(options: McpTasksOptions = {}): ResolvedMcpTasksOptions {
  const resolved = {
    maxPerOwner: options.maxPerOwner ?? 100,
    maxResultBytes: options.maxResultBytes ?? 1024 * 1024,
    defaultTtlMs: options.defaultTtlMs ?? 60 * 60 * 1000,
    maxTtlMs: options.maxTtlMs ?? 24 * 60 * 60 * 1000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`McpModule: "tasks.${name}" must be a positive whole number.`);
  }
  if (resolved.defaultTtlMs > resolved.maxTtlMs) throw new Error('McpModule: "tasks.defaultTtlMs" cannot exceed "tasks.maxTtlMs".');
  return resolved;
}
