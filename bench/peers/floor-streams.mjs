// Floor for idle streams: bare node:http that hands out session ids and holds each session's GET
// as an open SSE response, as the least memory an open stream can cost on this Node. No framework
// and no MCP: `initialize` gets a fixed answer with a new `Mcp-Session-Id`, other POSTs 202,
// DELETE ends the session's stream.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const INITIALIZE_RESULT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'floor', version: '1' } },
});
const streams = new Map();

createServer((req, res) => {
  if (req.url !== '/mcp') return void res.writeHead(404).end();
  const sessionId = req.headers['mcp-session-id'];
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': open\n\n');
    streams.set(sessionId, res);
    res.once('close', () => streams.delete(sessionId));
    return;
  }
  if (req.method === 'DELETE') {
    streams.get(sessionId)?.end();
    res.writeHead(200).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (message.method !== 'initialize') return void res.writeHead(202).end();
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(INITIALIZE_RESULT),
      'mcp-session-id': randomUUID(),
    });
    res.end(INITIALIZE_RESULT);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
