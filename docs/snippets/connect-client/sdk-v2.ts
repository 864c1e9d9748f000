import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const client = new Client({ name: 'my-client', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1:3000/mcp')));
console.log(client.getNegotiatedProtocolVersion()); // 2026-07-28
console.log(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } })); // structuredContent: { sum: 42 }
await client.close();
