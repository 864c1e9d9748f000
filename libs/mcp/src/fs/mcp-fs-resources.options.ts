import type { McpItemOptions } from '../registry/mcp-item.options.js';

/** One directory served as resources (`McpFsResourcesModule.forRoot`, docs/fs-resources.md). */
export interface McpFsResourcesOptions extends Pick<McpItemOptions, 'scopes' | 'visible' | 'title' | 'icons'> {
  /** The directory served. Nothing outside it is ever read, symlinks included. */
  root: string;
  /**
   * What the files' URIs start with, e.g. `docs://` (`<root>/guide/intro.md` is
   * `docs://guide/intro.md`). Each mount needs its own.
   */
  uriPrefix: string;
  /** Name of the mount's resource template. Default: the prefix. */
  name?: string;
  description?: string;
  /** Glob patterns (picomatch) of the paths served, relative to `root`. Default: every file. */
  include?: string[];
  /** Glob patterns of paths never served, even when included. */
  exclude?: string[];
  /** Serve files and directories whose name starts with a dot. Default `false`. */
  hidden?: boolean;
  /** Largest file a read returns, in bytes; a larger one is refused with -32602. Default 1 MiB. */
  maxReadBytes?: number;
  /**
   * Watch the directory (`fs.watch`, recursive): a changed file becomes
   * `notifications/resources/updated` for the sessions subscribed to it, an added or removed one
   * `notifications/resources/list_changed`, on every instance. Default `false`.
   */
  watch?: boolean;
  /** Changes closer together than this are announced once. Default 100 ms. */
  watchDebounceMs?: number;
}

export type ResolvedMcpFsResourcesOptions = Required<
  Omit<McpFsResourcesOptions, 'scopes' | 'visible' | 'title' | 'icons' | 'description'>
> &
  Pick<McpFsResourcesOptions, 'scopes' | 'visible' | 'title' | 'icons' | 'description'>;

export function resolveMcpFsResourcesOptions(options: McpFsResourcesOptions): ResolvedMcpFsResourcesOptions {
  if (!options?.root) throw new Error('McpFsResourcesModule: "root" is required (the directory to serve).');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(options.uriPrefix ?? '')) {
    throw new Error('McpFsResourcesModule: "uriPrefix" must start with a URI scheme, e.g. "docs://".');
  }
  const maxReadBytes = options.maxReadBytes ?? 1024 * 1024;
  if (!(Number.isSafeInteger(maxReadBytes) && maxReadBytes > 0))
    throw new Error('McpFsResourcesModule: "maxReadBytes" must be a positive whole number.');
  return {
    ...options,
    name: options.name ?? options.uriPrefix,
    include: options.include ?? ['**'],
    exclude: options.exclude ?? [],
    hidden: options.hidden ?? false,
    maxReadBytes,
    watch: options.watch ?? false,
    watchDebounceMs: options.watchDebounceMs ?? 100,
  };
}
