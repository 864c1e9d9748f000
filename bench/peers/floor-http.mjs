// Floor: bare node:http reading and parsing the JSON body of a POST and answering a fixed JSON-RPC
// result. No framework and no MCP: the most any server on this machine can do per request.
import { createServer } from 'node:http';
import { ECHO_RESPONSE } from './echo-result.mjs';

const body = JSON.stringify(ECHO_RESPONSE);

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'POST') JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
