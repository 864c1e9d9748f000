import {
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { McpFsResourcesModule } from '@nest-mcp/mcp';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './support/eventually.js';
import { collect, startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10]);

/** Every resource the session lists, following the cursors page by page. */
async function listAll(session: SdkSession): Promise<{ resources: Resource[]; pages: number }> {
  const resources: Resource[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await session.client.listResources(cursor ? { cursor } : {});
    resources.push(...page.resources);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { resources, pages };
}

describe('McpFsResourcesModule: a directory as resources', () => {
  let base: string;
  let root: string;
  let app: McpTestApp;
  let session: SdkSession;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'mcp-fs-'));
    root = join(base, 'root');
    mkdirSync(join(root, 'nested', 'deep'), { recursive: true });
    mkdirSync(join(root, '.hidden'));
    writeFileSync(join(root, 'readme.md'), '# Hello\n');
    writeFileSync(join(root, 'image.png'), PNG);
    writeFileSync(join(root, 'nested', 'deep', 'notes.txt'), 'deep notes');
    writeFileSync(join(root, 'nested', 'guide.md'), 'guide');
    writeFileSync(join(root, '.hidden', 'secret.txt'), 'secret');
    writeFileSync(join(root, '.env'), 'TOKEN=1');
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(2048));
    writeFileSync(join(base, 'outside.txt'), 'outside the root');
    symlinkSync(join(root, 'readme.md'), join(root, 'link-in.md'));
    symlinkSync(join(base, 'outside.txt'), join(root, 'link-out.txt'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    app = await startMcpApp({
      options: { pageSize: 3 },
      imports: [
        McpFsResourcesModule.forRoot({ root, uriPrefix: 'files://', maxReadBytes: 1024, watch: true, watchDebounceMs: 50 }),
        McpFsResourcesModule.forRoot({ root, uriPrefix: 'docs://', include: ['**/*.md'], name: 'docs' }),
        McpFsResourcesModule.forRoot({ root, uriPrefix: 'private://', visible: (ctx) => ctx.auth.subject === 'admin' }),
      ],
    });
    session = await app.connect();
  });

  afterAll(async () => {
    await app.close();
    rmSync(base, { recursive: true, force: true });
  });

  const read = (uri: string) => session.client.readResource({ uri });

  it('lists the regular files under the root, page by page, each mount with its own prefix and patterns', async () => {
    const { resources, pages } = await listAll(session);
    expect(pages).toBeGreaterThan(1);
    const uris = resources.map((resource) => resource.uri).sort();
    expect(uris).toEqual(
      [
        'docs://link-in.md',
        'docs://nested/guide.md',
        'docs://readme.md',
        'files://big.bin',
        'files://image.png',
        'files://link-in.md',
        'files://nested/deep/notes.txt',
        'files://nested/guide.md',
        'files://readme.md',
      ].sort(),
    );
    expect(resources.find((resource) => resource.uri === 'files://readme.md')).toMatchObject({
      name: 'readme.md',
      mimeType: 'text/markdown',
    });
    const { resourceTemplates } = await session.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(
      expect.arrayContaining(['files://{+path}', 'docs://{+path}']),
    );
  });

  it('reads text as text and binary files as base64 blobs, with their MIME type', async () => {
    expect((await read('files://nested/deep/notes.txt')).contents).toEqual([
      { uri: 'files://nested/deep/notes.txt', mimeType: 'text/plain', text: 'deep notes' },
    ]);
    expect((await read('files://image.png')).contents).toEqual([
      { uri: 'files://image.png', mimeType: 'image/png', blob: PNG.toString('base64') },
    ]);
    expect((await read('files://link-in.md')).contents).toMatchObject([{ text: '# Hello\n' }]);
  });

  it('refuses a file larger than maxReadBytes with -32602 naming the limit', async () => {
    await expect(read('files://big.bin')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('more than the 1024 bytes'),
    });
  });

  it.each([
    ['files://../outside.txt'],
    ['files://nested/../../outside.txt'],
    ['files://%2E%2E/outside.txt'],
    ['files://%2Fetc%2Fpasswd'],
    ['files:///etc/passwd'],
    ['files://link-out.txt'],
    ['files://.hidden/secret.txt'],
    ['files://.env'],
    ['files://pipe'],
    ['files://nested'],
    ['files://missing.txt'],
    ['docs://nested/deep/notes.txt'],
    ['private://readme.md'],
  ])('answers %s as an unknown resource', async (uri) => {
    await expect(read(uri)).rejects.toMatchObject({ code: -32002 });
  });

  it('announces a changed file to its subscribers and added or removed files as a list change', async () => {
    const updated = collect(session.client, ResourceUpdatedNotificationSchema);
    const listChanged = collect(session.client, ResourceListChangedNotificationSchema);
    await session.client.subscribeResource({ uri: 'files://readme.md' });

    writeFileSync(join(root, 'readme.md'), '# Hello again\n');
    await updated.waitFor((notification) => notification.params.uri === 'files://readme.md', 'readme.md updated');
    expect((await read('files://readme.md')).contents).toMatchObject([{ text: '# Hello again\n' }]);

    writeFileSync(join(root, 'added.txt'), 'new');
    await listChanged.waitFor(() => true, 'a list change for added.txt');
    await eventually(async () => expect((await listAll(session)).resources.map(({ uri }) => uri)).toContain('files://added.txt'));

    const before = listChanged.items.length;
    unlinkSync(join(root, 'added.txt'));
    await eventually(() => expect(listChanged.items.length).toBeGreaterThan(before));
    expect((await listAll(session)).resources.map(({ uri }) => uri)).not.toContain('files://added.txt');
  });
});

describe('McpFsResourcesModule with many files', () => {
  let base: string;
  let app: McpTestApp;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'mcp-fs-many-'));
    for (let dir = 0; dir < 100; dir++) {
      mkdirSync(join(base, `d${dir}`));
      for (let file = 0; file < 100; file++) writeFileSync(join(base, `d${dir}`, `f${file}.txt`), `${dir}/${file}`);
    }
    app = await startMcpApp({ options: { pageSize: 1000 }, imports: [McpFsResourcesModule.forRoot({ root: base, uriPrefix: 'many://' })] });
  });

  afterAll(async () => {
    await app.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('lists 10,000 files in pages, each once', async () => {
    const session = await app.connect({ listen: false });
    const { resources, pages } = await listAll(session);
    expect(pages).toBe(10);
    expect(new Set(resources.map(({ uri }) => uri)).size).toBe(10_000);
    expect((await session.client.readResource({ uri: 'many://d42/f7.txt' })).contents).toMatchObject([{ text: '42/7' }]);
  });
});

describe('McpFsResourcesModule misconfigured', () => {
  it('stops the app from starting when the root does not exist, naming it', async () => {
    const root = join(tmpdir(), `mcp-fs-missing-${Date.now()}`);
    await expect(startMcpApp({ imports: [McpFsResourcesModule.forRoot({ root, uriPrefix: 'gone://' })] })).rejects.toThrow(root);
  });

  it('refuses a prefix without a URI scheme', () => {
    expect(() => McpFsResourcesModule.forRoot({ root: '.', uriPrefix: 'docs' })).toThrow(/URI scheme/);
  });
});
