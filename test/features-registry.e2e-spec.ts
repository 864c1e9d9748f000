import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { McpPrompt, McpRegistry, McpResource, McpResourceTemplate, McpSessionEvents, McpTool, type McpContext } from '@nest-mcp/mcp';
import { textOf } from './support/auth-app.js';
import { collect, errorCode, startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';

/** One tool, resource and prompt at bootstrap, so every list is advertised with listChanged. */
@Injectable()
class Basics {
  @McpTool({ name: 'basic_tool', description: 'Present from the start' })
  tool(): string {
    return 'basic';
  }

  @McpResource({ uri: 'basic://resource', name: 'basic' })
  resource(): string {
    return 'basic';
  }

  @McpPrompt({ name: 'basic_prompt', description: 'Present from the start' })
  prompt(): string {
    return 'basic';
  }
}

describe('dynamic registry (McpRegistry)', () => {
  let app: McpTestApp;
  let registry: McpRegistry;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Basics] });
    registry = app.app.get(McpRegistry);
  });

  afterAll(() => app.close());

  /** A listening session and the list_changed notifications it receives, per list. */
  const watcher = async () => {
    const session = await app.connect();
    return {
      session,
      changed: {
        tools: collect(session.client, ToolListChangedNotificationSchema),
        resources: collect(session.client, ResourceListChangedNotificationSchema),
        prompts: collect(session.client, PromptListChangedNotificationSchema),
      },
    };
  };
  type Watcher = Awaited<ReturnType<typeof watcher>>;
  const counts = ({ changed }: Watcher) => ({
    tools: changed.tools.items.length,
    resources: changed.resources.items.length,
    prompts: changed.prompts.items.length,
  });

  it('adds and removes tools at run time with one tools/list_changed per session', async () => {
    const watchers = [await watcher(), await watcher()];
    registry.addTool({ name: 'shout', description: 'Upper-cases text', handler: ({ text }: { text: string }) => text.toUpperCase() });
    registry.addTool({ name: 'whisper', description: 'Lower-cases text', handler: ({ text }: { text: string }) => text.toLowerCase() });
    expect(registry.removeTool('basic_tool')).toBe(true);
    expect(registry.removeTool('never_existed')).toBe(false);
    await Promise.all(watchers.map(({ changed }) => changed.tools.waitFor(undefined, 'tools/list_changed')));
    await app.barrier(...watchers.map(({ session }) => session));
    for (const each of watchers) expect(counts(each)).toEqual({ tools: 1, resources: 0, prompts: 0 });

    const { client } = watchers[0].session;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['shout', 'whisper']);
    expect(textOf(await client.callTool({ name: 'shout', arguments: { text: 'hi' } }))).toBe('HI');
    expect(await errorCode(client.callTool({ name: 'basic_tool', arguments: {} }))).toBe(-32602);
    registry.removeTool('shout');
    registry.removeTool('whisper');
  });

  it('adds resources, templates and prompts together with one list_changed per affected list', async () => {
    const watchers = [await watcher(), await watcher()];
    registry.addResource({ uri: 'dynamic://report', name: 'report', mimeType: 'text/csv', handler: () => 'a,b\n1,2' });
    registry.addResourceTemplate({
      uriTemplate: 'dynamic://rows/{n}',
      name: 'row',
      handler: ({ variables }) => `row ${variables.n}`,
      complete: { n: (value) => ['1', '2', '10'].filter((n) => n.startsWith(value)) },
    });
    registry.addPrompt({
      name: 'dynamic_prompt',
      description: 'Added at run time',
      arguments: [{ name: 'topic', required: true, complete: (value) => ['cats', 'cars'].filter((topic) => topic.startsWith(value)) }],
      handler: ({ topic }: { topic: string }) => `Talk about ${topic}.`,
    });
    await Promise.all(watchers.map(({ changed }) => Promise.all([changed.resources.waitFor(), changed.prompts.waitFor()])));
    await app.barrier(...watchers.map(({ session }) => session));
    for (const each of watchers) expect(counts(each)).toEqual({ tools: 0, resources: 1, prompts: 1 });

    const { client } = watchers[0].session;
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(['basic://resource', 'dynamic://report']);
    expect((await client.readResource({ uri: 'dynamic://report' })).contents).toEqual([
      { uri: 'dynamic://report', mimeType: 'text/csv', text: 'a,b\n1,2' },
    ]);
    expect((await client.readResource({ uri: 'dynamic://rows/7' })).contents).toEqual([
      { uri: 'dynamic://rows/7', mimeType: 'text/plain', text: 'row 7' },
    ]);
    expect((await client.getPrompt({ name: 'dynamic_prompt', arguments: { topic: 'cats' } })).messages[0].content).toEqual({
      type: 'text',
      text: 'Talk about cats.',
    });
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'dynamic_prompt' },
      argument: { name: 'topic', value: 'ca' },
    });
    expect(completion.completion.values).toEqual(['cats', 'cars']);
  });

  it('makes removed items unknown, and a session started afterwards does not see them', async () => {
    const [before] = [await watcher()];
    expect(registry.removeResource('dynamic://report')).toBe(true);
    expect(registry.removeResourceTemplate('dynamic://rows/{n}')).toBe(true);
    expect(registry.removePrompt('dynamic_prompt')).toBe(true);
    await Promise.all([before.changed.resources.waitFor(), before.changed.prompts.waitFor()]);
    await app.barrier(before.session);
    expect(counts(before)).toEqual({ tools: 0, resources: 1, prompts: 1 });

    const { client } = await app.connect({ listen: false });
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(['basic://resource']);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['basic_prompt']);
    await expect(client.readResource({ uri: 'dynamic://report' })).rejects.toMatchObject({ code: -32002 });
    await expect(client.readResource({ uri: 'dynamic://rows/7' })).rejects.toMatchObject({ code: -32002 });
    expect(await errorCode(client.getPrompt({ name: 'dynamic_prompt', arguments: { topic: 'cats' } }))).toBe(-32602);
    const complete = (ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }, name: string) =>
      errorCode(client.complete({ ref, argument: { name, value: '' } }));
    expect(await complete({ type: 'ref/prompt', name: 'dynamic_prompt' }, 'topic')).toBe(-32602);
    expect(await complete({ type: 'ref/resource', uri: 'dynamic://rows/{n}' }, 'n')).toBe(-32602);
  });
});

/** A feature module that uses the registry and session events without importing McpModule. */
@Injectable()
class FeatureFlags {
  constructor(
    readonly registry: McpRegistry,
    readonly events: McpSessionEvents,
  ) {}
}

@Module({ providers: [FeatureFlags], exports: [FeatureFlags] })
class FeatureFlagsModule {}

describe('McpRegistry and McpSessionEvents in feature modules', () => {
  it('are injectable in a module that does not import McpModule (McpModule is global)', async () => {
    const app = await startMcpApp({ imports: [FeatureFlagsModule] });
    try {
      const flags = app.app.get(FeatureFlags);
      expect(flags.registry).toBe(app.app.get(McpRegistry));
      expect(flags.events).toBe(app.events);
      flags.registry.addTool({ name: 'flagged', description: 'Added by a feature module', handler: () => 'flag' });
      const { client } = await app.connect({ listen: false });
      expect(textOf(await client.callTool({ name: 'flagged', arguments: {} }))).toBe('flag');
    } finally {
      await app.close();
    }
  });
});

/** A host-app guard naming the user from `x-user`, as an auth guard would. */
@Injectable()
class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (request.headers['x-user']) request.user = { sub: request.headers['x-user'], iss: 'https://id.test' };
    return true;
  }
}

const adminsOnly = (ctx: McpContext) => ctx.auth.subject === 'admin';

@Injectable()
class AdminItems {
  @McpTool({ name: 'audit', description: 'Admins only', visible: adminsOnly })
  audit(): string {
    return 'audited';
  }

  @McpTool({ name: 'status', description: 'Everyone' })
  status(): string {
    return 'ok';
  }

  @McpResource({ uri: 'admin://log', name: 'log', visible: adminsOnly })
  log(): string {
    return 'the log';
  }

  @McpResourceTemplate({ uriTemplate: 'admin://users/{id}', name: 'user', visible: adminsOnly, complete: { id: () => ['1', '2'] } })
  user({ variables }: { variables: Record<string, string> }): string {
    return `user ${variables.id}`;
  }

  @McpPrompt({ name: 'ban', description: 'Admins only', visible: adminsOnly, arguments: [{ name: 'who', complete: () => ['mallory'] }] })
  ban(): string {
    return 'ban someone';
  }
}

describe('visibility hook (visible: (ctx) => boolean)', () => {
  let app: McpTestApp;
  let admin: SdkSession;
  let alice: SdkSession;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [{ provide: APP_GUARD, useClass: HeaderUserGuard }, AdminItems] });
    admin = await app.connect({ headers: { 'x-user': 'admin' }, listen: false });
    alice = await app.connect({ headers: { 'x-user': 'alice' }, listen: false });
  });

  afterAll(() => app.close());

  it('shows the items to the principals they are visible to', async () => {
    const { client } = admin;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['audit', 'status']);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(['admin://log']);
    expect((await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate)).toEqual([
      'admin://users/{id}',
    ]);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['ban']);
    expect(textOf(await client.callTool({ name: 'audit', arguments: {} }))).toBe('audited');
    expect((await client.readResource({ uri: 'admin://users/2' })).contents[0]).toMatchObject({ text: 'user 2' });
    expect(
      (await client.complete({ ref: { type: 'ref/prompt', name: 'ban' }, argument: { name: 'who', value: '' } })).completion.values,
    ).toEqual(['mallory']);
  });

  it('hides them from everyone else: left out of lists and answered as unknown', async () => {
    const { client } = alice;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['status']);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    expect(await errorCode(client.callTool({ name: 'audit', arguments: {} }))).toBe(-32602);
    await expect(client.readResource({ uri: 'admin://log' })).rejects.toMatchObject({ code: -32002, data: { uri: 'admin://log' } });
    await expect(client.readResource({ uri: 'admin://users/2' })).rejects.toMatchObject({ code: -32002 });
    expect(await errorCode(client.getPrompt({ name: 'ban' }))).toBe(-32602);
    expect(await errorCode(client.complete({ ref: { type: 'ref/prompt', name: 'ban' }, argument: { name: 'who', value: '' } }))).toBe(
      -32602,
    );
    expect(
      await errorCode(client.complete({ ref: { type: 'ref/resource', uri: 'admin://users/{id}' }, argument: { name: 'id', value: '' } })),
    ).toBe(-32602);
  });
});

/** Five of each kind, named 0..4. */
@Injectable()
class ManyItems {
  constructor(registry: McpRegistry) {
    for (let n = 0; n < 5; n++) {
      registry.addTool({ name: `tool_${n}`, description: `Tool ${n}`, handler: () => `${n}` });
      registry.addResource({ uri: `many://resource/${n}`, name: `resource ${n}`, handler: () => `${n}` });
      registry.addResourceTemplate({ uriTemplate: `many://template${n}/{x}`, name: `template ${n}`, handler: () => `${n}` });
      registry.addPrompt({ name: `prompt_${n}`, description: `Prompt ${n}`, handler: () => `${n}` });
    }
  }
}

describe('pagination', () => {
  let app: McpTestApp;
  let session: SdkSession;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [ManyItems], options: { pageSize: 2 } });
    session = await app.connect({ listen: false });
  });

  afterAll(() => app.close());

  type ListMethod = (params?: { cursor?: string }) => Promise<Record<string, unknown> & { nextCursor?: string }>;
  const lists = (): Array<[string, ListMethod, string, (item: any) => string]> => {
    const { client } = session;
    return [
      ['tools/list', (params) => client.listTools(params), 'tools', (tool) => tool.name],
      ['resources/list', (params) => client.listResources(params), 'resources', (resource) => resource.uri],
      [
        'resources/templates/list',
        (params) => client.listResourceTemplates(params),
        'resourceTemplates',
        (template) => template.uriTemplate,
      ],
      ['prompts/list', (params) => client.listPrompts(params), 'prompts', (prompt) => prompt.name],
    ];
  };

  /** Every page of a list, following nextCursor. */
  const walk = async (list: ListMethod, key: string, name: (item: unknown) => string): Promise<string[][]> => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list(cursor === undefined ? undefined : { cursor });
      pages.push((page[key] as unknown[]).map(name));
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 10);
    return pages;
  };

  it('pages every list by pageSize until nextCursor is absent', async () => {
    const expected = {
      'tools/list': [['tool_0', 'tool_1'], ['tool_2', 'tool_3'], ['tool_4']],
      'resources/list': [['many://resource/0', 'many://resource/1'], ['many://resource/2', 'many://resource/3'], ['many://resource/4']],
      'resources/templates/list': [
        ['many://template0/{x}', 'many://template1/{x}'],
        ['many://template2/{x}', 'many://template3/{x}'],
        ['many://template4/{x}'],
      ],
      'prompts/list': [['prompt_0', 'prompt_1'], ['prompt_2', 'prompt_3'], ['prompt_4']],
    };
    for (const [method, list, key, name] of lists()) {
      expect([method, await walk(list, key, name)]).toEqual([method, expected[method as keyof typeof expected]]);
    }
  });

  it('answers an invalid cursor, or one from another list, with -32602', async () => {
    const toolsCursor = (await session.client.listTools()).nextCursor!;
    for (const [method, list] of lists()) {
      expect([method, await errorCode(list({ cursor: 'not-a-cursor' }))]).toEqual([method, -32602]);
      if (method !== 'tools/list') expect([method, await errorCode(list({ cursor: toolsCursor }))]).toEqual([method, -32602]);
    }
  });
});

@Injectable()
class OnlyATool {
  @McpTool({ name: 'only', description: 'The only tool' })
  only(): string {
    return 'only';
  }
}

@Injectable()
class OnlyATemplate {
  @McpResourceTemplate({ uriTemplate: 'only://{id}', name: 'only' })
  only(): string {
    return 'only';
  }
}

describe('capabilities at initialize', () => {
  /** The capabilities an app answers initialize with, exactly as sent. */
  const capabilitiesOf = async (setup: Parameters<typeof startMcpApp>[0]) => {
    const app = await startMcpApp(setup);
    try {
      const { posts } = await app.connect({ listen: false });
      return (JSON.parse((await posts[0].answer).body) as { result: { capabilities: unknown } }).result.capabilities;
    } finally {
      await app.close();
    }
  };

  it('advertises only tools (and logging) for an app with only a tool', async () => {
    expect(await capabilitiesOf({ providers: [OnlyATool] })).toEqual({ tools: { listChanged: true }, logging: {} });
  });

  it('advertises resources with subscribe for an app with only a template', async () => {
    expect(await capabilitiesOf({ providers: [OnlyATemplate] })).toEqual({
      resources: { subscribe: true, listChanged: true },
      logging: {},
    });
  });

  it('advertises every list and completions for an app with all of them', async () => {
    expect(await capabilitiesOf({ providers: [Basics, AdminItems] })).toEqual({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    });
  });

  it('adds what the capabilities option forces', async () => {
    expect(await capabilitiesOf({ options: { capabilities: { tools: { listChanged: true }, experimental: { drafts: {} } } } })).toEqual({
      tools: { listChanged: true },
      experimental: { drafts: {} },
      logging: {},
    });
  });

  it('merges a forced capability into the registered one instead of replacing it', async () => {
    expect(await capabilitiesOf({ providers: [OnlyATemplate], options: { capabilities: { resources: { listChanged: false } } } })).toEqual({
      resources: { subscribe: true, listChanged: false },
      logging: {},
    });
  });
});
