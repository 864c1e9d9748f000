import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Injectable, NotFoundException } from '@nestjs/common';
import { McpRegistry, McpResource, McpResourceTemplate, type McpResourceRequest } from '@nest-mcp/mcp';
import { collect, startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';

const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
const AUTHORS: Record<string, string> = { tolstoy: 'Leo Tolstoy' };

/** Fixed resources (text and bytes) and templates of a small library. */
@Injectable()
class Library {
  @McpResource({
    uri: 'library://readme',
    name: 'readme',
    title: 'Read me',
    description: 'What the library holds',
    mimeType: 'text/markdown',
  })
  readme(): string {
    return '# The library\nBooks by shelf.';
  }

  @McpResource({ uri: 'library://logo.png', name: 'logo', mimeType: 'image/png' })
  logo(): Buffer {
    return LOGO;
  }

  @McpResource({ uri: 'library://raw', name: 'raw' })
  raw(): Uint8Array {
    return new Uint8Array([0, 1, 2, 255]);
  }

  @McpResourceTemplate({
    uriTemplate: 'library://books/{shelf}/{title}',
    name: 'book',
    description: 'A book on a shelf',
    mimeType: 'application/json',
  })
  book(request: McpResourceRequest): string {
    return JSON.stringify(request);
  }

  @McpResourceTemplate({ uriTemplate: 'library://authors/{id}', name: 'author' })
  author({ variables }: McpResourceRequest): string {
    const name = AUTHORS[variables.id];
    if (!name) throw new NotFoundException(`No author ${variables.id}`);
    return name;
  }
}

const readError = (session: SdkSession, uri: string) =>
  session.client.readResource({ uri }).then(
    () => {
      throw new Error(`reading ${uri} succeeded`);
    },
    (error: { code: number; message: string; data?: unknown }) => ({ code: error.code, data: error.data }),
  );

describe('resources', () => {
  let app: McpTestApp;
  let session: SdkSession;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Library] });
    session = await app.connect({ listen: false });
  });

  afterAll(() => app.close());

  it('lists the fixed resources with their descriptors, by URI', async () => {
    const { resources, nextCursor } = await session.client.listResources();
    expect(nextCursor).toBeUndefined();
    expect(resources).toEqual([
      { uri: 'library://logo.png', name: 'logo', mimeType: 'image/png' },
      { uri: 'library://raw', name: 'raw' },
      { uri: 'library://readme', name: 'readme', title: 'Read me', description: 'What the library holds', mimeType: 'text/markdown' },
    ]);
  });

  it('lists the resources a template stands for after the fixed ones, as its list function says now', async () => {
    const registry = app.app.get(McpRegistry);
    const shelves = ['fiction'];
    registry.addResourceTemplate({
      uriTemplate: 'library://shelves/{shelf}',
      name: 'shelf',
      mimeType: 'text/plain',
      list: async () => shelves.map((shelf) => ({ uri: `library://shelves/${shelf}`, name: `Shelf ${shelf}` })),
      handler: ({ variables }) => `shelf ${variables.shelf}`,
    });
    try {
      const listed = async () => (await session.client.listResources()).resources.slice(3);
      expect(await listed()).toEqual([{ uri: 'library://shelves/fiction', name: 'Shelf fiction', mimeType: 'text/plain' }]);
      shelves.push('poetry');
      expect((await listed()).map((resource) => resource.uri)).toEqual(['library://shelves/fiction', 'library://shelves/poetry']);
    } finally {
      registry.removeResourceTemplate('library://shelves/{shelf}');
    }
  });

  it('reads a text resource', async () => {
    expect(await session.client.readResource({ uri: 'library://readme' })).toEqual({
      contents: [{ uri: 'library://readme', mimeType: 'text/markdown', text: '# The library\nBooks by shelf.' }],
    });
  });

  it('reads bytes as a base64 blob, with the declared or the default MIME type', async () => {
    const logo = await session.client.readResource({ uri: 'library://logo.png' });
    expect(logo.contents).toEqual([{ uri: 'library://logo.png', mimeType: 'image/png', blob: LOGO.toString('base64') }]);
    const raw = await session.client.readResource({ uri: 'library://raw' });
    expect(raw.contents).toEqual([{ uri: 'library://raw', mimeType: 'application/octet-stream', blob: 'AAEC/w==' }]);
  });

  it('lists the resource templates, by URI template', async () => {
    expect((await session.client.listResourceTemplates()).resourceTemplates).toEqual([
      { uriTemplate: 'library://authors/{id}', name: 'author' },
      { uriTemplate: 'library://books/{shelf}/{title}', name: 'book', description: 'A book on a shelf', mimeType: 'application/json' },
    ]);
  });

  it('matches a template and passes the percent-decoded variables with the URI', async () => {
    const uri = 'library://books/fiction/War%20and%20Peace';
    const { contents } = await session.client.readResource({ uri });
    expect(contents).toEqual([{ uri, mimeType: 'application/json', text: expect.any(String) }]);
    expect(JSON.parse((contents[0] as { text: string }).text)).toEqual({
      uri,
      variables: { shelf: 'fiction', title: 'War and Peace' },
    });
  });

  it('answers an unknown URI with -32002 "Resource not found" and the URI in data', async () => {
    for (const uri of ['library://nothing', 'library://books/fiction', 'library://books/a/b/c', 'other://readme']) {
      expect(await readError(session, uri)).toEqual({ code: -32002, data: { uri } });
    }
  });

  it('answers -32002 when a template method throws a Nest NotFoundException', async () => {
    expect((await session.client.readResource({ uri: 'library://authors/tolstoy' })).contents).toEqual([
      { uri: 'library://authors/tolstoy', mimeType: 'text/plain', text: 'Leo Tolstoy' },
    ]);
    expect(await readError(session, 'library://authors/nobody')).toEqual({ code: -32002, data: { uri: 'library://authors/nobody' } });
  });
});

describe('resource subscriptions', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Library] });
  });

  afterAll(() => app.close());

  /** A listening session and the `notifications/resources/updated` it receives. */
  const subscriber = async () => {
    const session = await app.connect();
    return { session, updates: collect(session.client, ResourceUpdatedNotificationSchema) };
  };

  it('answers subscribe and unsubscribe with an empty result', async () => {
    const { session } = await subscriber();
    expect(await session.client.subscribeResource({ uri: 'library://readme' })).toEqual({});
    expect(await session.client.unsubscribeResource({ uri: 'library://readme' })).toEqual({});
  });

  it('sends notifyResourceUpdated(uri) once to each subscribed session, and to no other', async () => {
    const twice = await subscriber();
    const once = await subscriber();
    const other = await subscriber();
    const left = await subscriber();
    await twice.session.client.subscribeResource({ uri: 'library://readme' });
    await twice.session.client.subscribeResource({ uri: 'library://readme' });
    await once.session.client.subscribeResource({ uri: 'library://readme' });
    await other.session.client.subscribeResource({ uri: 'library://books/fiction/Emma' });
    await left.session.client.subscribeResource({ uri: 'library://readme' });
    await left.session.client.unsubscribeResource({ uri: 'library://readme' });

    await app.events.notifyResourceUpdated('library://readme');
    await twice.updates.waitFor(undefined, 'the update for the session that subscribed twice');
    await once.updates.waitFor(undefined, 'the update for the session that subscribed once');
    await app.barrier(twice.session, once.session, other.session, left.session);

    expect(twice.updates.items).toEqual([{ method: 'notifications/resources/updated', params: { uri: 'library://readme' } }]);
    expect(once.updates.items).toEqual([{ method: 'notifications/resources/updated', params: { uri: 'library://readme' } }]);
    expect(other.updates.items).toEqual([]);
    expect(left.updates.items).toEqual([]);
  });

  it('notifies a subscription to a templated URI', async () => {
    const { session, updates } = await subscriber();
    await session.client.subscribeResource({ uri: 'library://books/fiction/Emma' });
    await app.events.notifyResourceUpdated('library://books/fiction/Persuasion');
    await app.events.notifyResourceUpdated('library://books/fiction/Emma');
    await updates.waitFor(undefined, 'the update of Emma');
    await app.barrier(session);
    expect(updates.items.map((update) => update.params.uri)).toEqual(['library://books/fiction/Emma']);
  });
});
