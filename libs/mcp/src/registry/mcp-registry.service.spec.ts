import { firstValueFrom, take, toArray } from 'rxjs';
import { McpRegistrationError, McpRegistry } from './mcp-registry.service.js';
import { paginate } from './pagination.js';
import { UriTemplate } from './uri-template.js';

describe('McpRegistry', () => {
  const handler = () => 'ok';

  it('registers a prompt and its completions together, or neither when a completion is taken', () => {
    const registry = new McpRegistry();
    registry.addCompletion({ prompt: 'summarize', argument: 'style' }, () => ['brief']);
    expect(() =>
      registry.addPrompt({
        name: 'summarize',
        description: 'Summarize',
        handler,
        arguments: [
          { name: 'id', complete: () => [] },
          { name: 'style', complete: () => [] },
        ],
      }),
    ).toThrow(McpRegistrationError);
    expect(registry.getPrompt('summarize')).toBeUndefined();
    expect(registry.getCompletion({ prompt: 'summarize', argument: 'id' })).toBeUndefined();
  });

  it('reports each change on changes$ and forgets completions with their prompt', async () => {
    const registry = new McpRegistry();
    const changes = firstValueFrom(registry.changes$.pipe(take(4), toArray()));
    registry.addTool({ name: 't', description: 'T', handler });
    registry.addPrompt({ name: 'p', description: 'P', handler, complete: { a: () => ['x'] } });
    registry.addResource({ uri: 'notes://1', name: 'one', handler });
    expect(registry.removePrompt('p')).toBe(true);
    expect(registry.removePrompt('p')).toBe(false);
    expect(await changes).toEqual(['tools', 'prompts', 'resources', 'prompts']);
    expect(registry.getCompletion({ prompt: 'p', argument: 'a' })).toBeUndefined();
  });

  it('lists every kind in name or URI order, whatever the registration order, and matches templates in registration order', () => {
    const registry = new McpRegistry();
    for (const name of ['b', 'c', 'a']) registry.addTool({ name, description: name, handler });
    registry.addResourceTemplate({ uriTemplate: 'notes://{id}', name: 'any', handler });
    registry.addResourceTemplate({ uriTemplate: 'notes://a{id}', name: 'a-prefixed', handler });
    expect(registry.listTools().map((tool) => tool.descriptor.name)).toEqual(['a', 'b', 'c']);
    expect(registry.listResourceTemplates().map((template) => template.descriptor.name)).toEqual(['a-prefixed', 'any']);
    expect(registry.matchTemplate('notes://a1')?.template.descriptor.name).toBe('any');
    registry.removeTool('a');
    expect(registry.listTools().map((tool) => tool.descriptor.name)).toEqual(['b', 'c']);
  });

  it('keeps x-mcp-header declarations of a tool, and refuses a tool whose declaration breaks a rule', () => {
    const registry = new McpRegistry();
    const input = (type: string) => ({ type: 'object', properties: { region: { type, 'x-mcp-header': 'Region' } } });
    registry.addTool({ name: 'ok', description: 'ok', input: input('string'), handler });
    expect(registry.getTool('ok')?.headerParams).toEqual([{ name: 'Region', path: ['region'], type: 'string' }]);
    expect(registry.getTool('ok')?.descriptor.inputSchema).toEqual(input('string'));
    expect(() => registry.addTool({ name: 'bad', description: 'bad', input: input('number'), handler }, 'Tools.bad')).toThrow(
      /^Tools\.bad: x-mcp-header "Region" must be on a property of type string, integer or boolean/,
    );
  });

  it('refuses unusable cache hints', () => {
    const registry = new McpRegistry();
    expect(() => registry.addResource({ uri: 'notes://1', name: 'one', cache: { ttlMs: -1 }, handler })).toThrow(McpRegistrationError);
    expect(() => registry.addTool({ name: 't', description: 't', cache: { scope: 'shared' as never }, handler })).toThrow(
      /public" or "private/,
    );
  });

  it('refuses resources without an absolute URI and duplicate templates', () => {
    const registry = new McpRegistry();
    expect(() => registry.addResource({ uri: 'relative/path', name: 'x', handler })).toThrow(/absolute URI/);
    registry.addResourceTemplate({ uriTemplate: 'notes://{id}', name: 'note', handler }, 'Notes.read');
    expect(() => registry.addResourceTemplate({ uriTemplate: 'notes://{id}', name: 'other', handler }, 'Other.read')).toThrow(
      'Duplicate MCP resource template notes://{id}: declared by Notes.read and Other.read.',
    );
  });
});

describe('UriTemplate (RFC 6570 levels 1 and 2)', () => {
  it('matches one segment per variable and decodes it', () => {
    const template = new UriTemplate('test://template/{id}/data');
    expect(template.match('test://template/123/data')).toEqual({ id: '123' });
    expect(template.match('test://template/a%20b/data')).toEqual({ id: 'a b' });
    expect(template.match('test://template/1/2/data')).toBeUndefined();
    expect(template.match('test://template//data')).toBeUndefined();
    expect(new UriTemplate('users://{org}.{user}').match('users://acme.bob')).toEqual({ org: 'acme', user: 'bob' });
  });

  it('matches a whole path with a reserved expansion {+name}', () => {
    const template = new UriTemplate('docs://{+path}');
    expect(template.match('docs://guide/intro.md')).toEqual({ path: 'guide/intro.md' });
    expect(template.match('docs://a%20b/c.md')).toEqual({ path: 'a b/c.md' });
    expect(template.match('docs://x?y')).toBeUndefined();
  });

  it('rejects what it cannot express', () => {
    expect(() => new UriTemplate('files://{/path}')).toThrow(/not a \{variable\}/);
    expect(() => new UriTemplate('notes://all')).toThrow(/at least one/);
    expect(() => new UriTemplate('notes://{id}/{id}')).toThrow(/twice/);
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 5 }, (_, index) => index);

  it('walks all items with opaque cursors', () => {
    const first = paginate(items, 'tools', undefined, 2);
    const second = paginate(items, 'tools', first.nextCursor, 2);
    const third = paginate(items, 'tools', second.nextCursor, 2);
    expect([first.page, second.page, third.page]).toEqual([[0, 1], [2, 3], [4]]);
    expect(third.nextCursor).toBeUndefined();
  });

  it('refuses malformed cursors and cursors of another list with -32602', () => {
    const { nextCursor } = paginate(items, 'tools', undefined, 2);
    for (const cursor of ['nope', 42, nextCursor]) {
      expect(() => paginate(items, 'prompts', cursor, 2)).toThrow(expect.objectContaining({ code: -32602 }));
    }
  });
});
