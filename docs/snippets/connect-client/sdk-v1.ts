import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const client = new Client({ name: 'my-client', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1:3000/mcp')));
console.log(client.getServerVersion()); // { name: 'my-server', version: '1.0.0' }: a 2025-11-25 session
console.log(await client.listTools());
console.log(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } })); // structuredContent: { sum: 42 }
await client.close();
