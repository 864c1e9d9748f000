import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter } from './sse.writer.js';

/** A real response whose client went away: resolves once the server saw the response close. */
async function closedResponse(): Promise<{ response: ServerResponse; dispose(): Promise<void> }> {
  let received!: (response: ServerResponse) => void;
  const arrived = new Promise<ServerResponse>((resolve) => (received = resolve));
  const server = createServer((_request, response) => received(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = request({ port: (server.address() as AddressInfo).port, method: 'GET' });
  client.on('error', () => undefined);
  client.end();
  const response = await arrived;
  const closed = new Promise((resolve) => response.once('close', resolve));
  client.destroy();
  await closed;
  return { response, dispose: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('SseWriter', () => {
  it('reports the close of a response that closed before it was written to', async () => {
    const { response, dispose } = await closedResponse();
    try {
      const writer = new SseWriter(response, { keepaliveMs: 10, highWaterBytes: 1024 });
      const closed = new Promise<string>((resolve) => writer.onClose(() => resolve('closed')));
      expect(await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('never'), 500))])).toBe('closed');
      expect(writer.closed).toBe(true);
    } finally {
      await dispose();
    }
  });
});
