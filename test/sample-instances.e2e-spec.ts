import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AppInstance, startOnRedis } from './support/app-instances.js';

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ text: string }>)[0].text;

/** The sample as a multi-instance demo: two processes on one Redis serve the same notes. */
describe('the sample on two instances with REDIS_URL', () => {
  let instances: AppInstance[];
  let stop: () => Promise<void>;
  const clients: Client[] = [];

  beforeAll(async () => {
    const env = { MCP_REQUEST_STATE_SECRET: 'sample-instances-secret-0123456789abcdef' };
    ({ instances, stop } = await startOnRedis(2, (processEnv) => AppInstance.startSample(processEnv), env));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await stop?.();
  });

  async function connect(instance: AppInstance): Promise<Client> {
    const client = new Client({ name: 'sample-instances', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      model: 'test',
      content: { type: 'text', text: 'Shopping list' },
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(instance.url)));
    clients.push(client);
    return client;
  }

  it('adds a note through one instance and reads, searches, retitles and deletes it through the other', async () => {
    const [a, b] = await Promise.all(instances.map(connect));
    const added = await a.callTool({ name: 'add_note', arguments: { title: 'Groceries', text: 'Milk, eggs, zucchini' } });
    const id = textOf(added).match(/Added note (\d+)\./)![1];

    expect((await b.readResource({ uri: `notes://${id}` })).contents[0]).toMatchObject({ text: '# Groceries\n\nMilk, eggs, zucchini\n' });
    expect((await b.listResources()).resources.map((resource) => resource.uri)).toContain(`notes://${id}`);
    const found = await b.callTool({ name: 'search_notes', arguments: { query: 'zucchini' } });
    expect(found.structuredContent).toEqual({ matches: [{ id, title: 'Groceries' }] });
    expect(textOf(await b.callTool({ name: 'retitle_note', arguments: { id } }))).toBe(`Renamed note ${id} to "Shopping list".`);
    expect((await a.readResource({ uri: `notes://${id}` })).contents[0]).toMatchObject({
      text: '# Shopping list\n\nMilk, eggs, zucchini\n',
    });
    expect(textOf(await a.callTool({ name: 'delete_note', arguments: { id } }))).toBe(`Deleted note ${id}.`);
    await expect(b.readResource({ uri: `notes://${id}` })).rejects.toMatchObject({ code: -32002 });
  });

  it('seeds the welcome note once, however many instances start', async () => {
    const client = await connect(instances[1]);
    const index = await client.readResource({ uri: 'notes://index' });
    expect((index.contents[0] as { text: string }).text.match(/Welcome/g)).toHaveLength(1);
  });
});
