import { Logger, NotFoundException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { charset, lookup } from 'mime-types';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { McpError } from '../protocol/mcp.error.js';
import type { ResourceContents } from '../protocol/mcp.types.js';
import type { McpListedResource, McpResourceRequest } from '../registry/mcp-resource.decorator.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import type { ResolvedMcpFsResourcesOptions } from './mcp-fs-resources.options.js';

/** How long a listing is reused when the directory is not watched. */
const UNWATCHED_LISTING_MS = 1_000;

/** MIME types read as text besides `text/*` and those with a charset. */
const TEXT_TYPES = /[/+](json|xml|javascript|yaml|x-sh)$/;

/**
 * One directory served as resources: a `{+path}` resource template under the mount's URI prefix,
 * listing the directory's files (`resources/list`, paginated like every list) and reading them as
 * text or base64 blobs with their MIME type. Only regular files under the root are served: a path
 * with `..`, an absolute path, a symlink leading out of the root, a special file, a hidden file
 * (unless `hidden`), or one the include/exclude patterns leave out is unknown, as is a missing one.
 * With `watch`, changes are announced to every instance's sessions (debounced).
 */
export class FsResourcesMount implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('McpFsResources');
  private readonly included: (path: string) => boolean;
  private readonly excluded: (path: string) => boolean;
  private realRoot = '';
  private listing: { at: number; resources: Promise<McpListedResource[]> } | undefined;
  private watcher: FSWatcher | undefined;
  private pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ResolvedMcpFsResourcesOptions,
    private readonly registry: McpRegistry,
    private readonly events: McpSessionEvents,
  ) {
    const globs = { dot: options.hidden };
    this.included = picomatch(options.include, globs);
    this.excluded = options.exclude.length > 0 ? picomatch(options.exclude, globs) : () => false;
  }

  async onModuleInit(): Promise<void> {
    this.realRoot = await realpath(this.options.root).catch(() => {
      throw new Error(`McpFsResourcesModule: the root ${this.options.root} does not exist or cannot be read.`);
    });
    const { uriPrefix, name, description, title, icons, scopes, visible } = this.options;
    this.registry.addResourceTemplate(
      {
        uriTemplate: `${uriPrefix}{+path}`,
        name,
        ...(description && { description }),
        ...(title && { title }),
        ...(icons && { icons }),
        ...(scopes && { scopes }),
        ...(visible && { visible }),
        list: () => this.list(),
        handler: (request: McpResourceRequest) => this.read(request),
      },
      `McpFsResourcesModule ${uriPrefix}`,
    );
    if (this.options.watch) this.startWatching();
  }

  onModuleDestroy(): void {
    this.watcher?.close();
    clearTimeout(this.flushTimer);
  }

  /** The files served now, by relative path; reused until the directory changes (or for a second, unwatched). */
  private list(): Promise<McpListedResource[]> {
    const fresh = this.listing && (this.options.watch || Date.now() - this.listing.at < UNWATCHED_LISTING_MS);
    if (!fresh) this.listing = { at: Date.now(), resources: this.walk() };
    return this.listing!.resources;
  }

  private async walk(): Promise<McpListedResource[]> {
    const entries = await readdir(this.realRoot, { recursive: true, withFileTypes: true });
    const resources: McpListedResource[] = [];
    for (const entry of entries) {
      const path = relative(this.realRoot, join(entry.parentPath, entry.name)).split(sep).join('/');
      if (!this.serves(path)) continue;
      if (!entry.isFile() && !(entry.isSymbolicLink() && (await this.resolve(path)) !== undefined)) continue;
      resources.push({ uri: this.uriOf(path), name: path, mimeType: mimeTypeOf(path) });
    }
    return resources.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  private async read({ uri, variables }: McpResourceRequest): Promise<ResourceContents> {
    const path = variables.path;
    const file = this.serves(path) ? await this.resolve(path) : undefined;
    if (!file) throw new NotFoundException();
    if (file.size > this.options.maxReadBytes) {
      throw McpError.invalidParams(`${uri} is ${file.size} bytes, more than the ${this.options.maxReadBytes} bytes a read may return.`, {
        uri,
      });
    }
    const bytes = await readFile(file.realPath);
    const mimeType = mimeTypeOf(path);
    return isText(mimeType) ? { uri, mimeType, text: bytes.toString('utf8') } : { uri, mimeType, blob: bytes.toString('base64') };
  }

  /** Whether a relative path names something this mount may serve: inside the root, not hidden, included. */
  private serves(path: string): boolean {
    if (path === '' || path.includes('\0') || isAbsolute(path) || path.startsWith('/') || path.includes('\\')) return false;
    const segments = path.split('/');
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return false;
    if (!this.options.hidden && segments.some((segment) => segment.startsWith('.'))) return false;
    return this.included(path) && !this.excluded(path);
  }

  /** The regular file a served path leads to, following symlinks only while they stay under the root. */
  private async resolve(path: string): Promise<{ realPath: string; size: number } | undefined> {
    try {
      const realPath = await realpath(join(this.realRoot, ...path.split('/')));
      if (!realPath.startsWith(this.realRoot + sep)) return undefined;
      const info = await stat(realPath);
      return info.isFile() ? { realPath, size: info.size } : undefined;
    } catch {
      return undefined;
    }
  }

  private uriOf(path: string): string {
    return this.options.uriPrefix + path.split('/').map(encodeURIComponent).join('/');
  }

  private startWatching(): void {
    try {
      this.watcher = watch(this.realRoot, { recursive: true }, (_event, filename) => {
        if (filename) this.pending.add(filename.toString().split(sep).join('/'));
        this.flushTimer ??= setTimeout(() => void this.flush(), this.options.watchDebounceMs);
      });
      this.watcher.on('error', (error) => this.logger.warn(`Watching ${this.options.root} failed: ${String(error)}`));
    } catch (error) {
      this.logger.warn(`Cannot watch ${this.options.root}: ${String(error)}`);
    }
  }

  /** Announces what changed since the last flush: updates to subscribers, and the list when files came or went. */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const changed = [...this.pending].filter((path) => this.serves(path));
    this.pending.clear();
    if (changed.length === 0) return;
    const before = new Set((await this.list()).map(({ uri }) => uri));
    this.listing = undefined;
    const after = new Set((await this.list()).map(({ uri }) => uri));
    try {
      for (const path of changed)
        if (before.has(this.uriOf(path)) && after.has(this.uriOf(path))) await this.events.notifyResourceUpdated(this.uriOf(path));
      if (before.size !== after.size || [...after].some((uri) => !before.has(uri))) {
        await this.events.notifyAll({ method: 'notifications/resources/list_changed' });
      }
    } catch (error) {
      this.logger.warn(`Announcing changes under ${this.options.root} failed: ${String(error)}`);
    }
  }
}

const mimeTypeOf = (path: string): string => lookup(path) || 'application/octet-stream';

const isText = (mimeType: string): boolean => mimeType.startsWith('text/') || TEXT_TYPES.test(mimeType) || charset(mimeType) !== false;
