import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { AppModule } from '../apps/sample/src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the page runs against the MCP endpoint of another origin: the 2025 handshake, a tool call,
 * and a tool call answered as an SSE stream with progress. Its outcome lands in `window.outcome`.
 */
const pageScript = (endpoint: string) => `
(async () => {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const post = (body, extra = {}) => fetch(${JSON.stringify(endpoint)}, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
  try {
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser', version: '1' } } });
    const sessionId = init.headers.get('mcp-session-id');
    const server = (await init.json()).result.serverInfo.name;
    const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const echo = await (await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'from a browser' } } }, session)).json();
    const stream = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'count_slowly', arguments: { to: 3, delayMs: 10 }, _meta: { progressToken: 'b' } } }, session);
    const events = (await stream.text()).split('\\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)));
    window.outcome = {
      server,
      sessionId,
      echo: echo.result.content[0].text,
      contentType: stream.headers.get('content-type'),
      progress: events.filter((event) => event.method === 'notifications/progress').map((event) => event.params.progress),
      result: events.find((event) => event.id === 3)?.result?.content[0].text,
    };
  } catch (error) {
    window.outcome = { error: String(error) };
  }
})();
`;

/** Serves a page that runs `pageScript` from its own origin (host and port). */
async function servePage(host: string, endpoint: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><title>mcp</title><script>${pageScript(endpoint)}</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as { port: number }).port}/`, server };
}

/** A real browser on another origin talks to the sample's endpoint: CORS lets allowed origins in, only them. */
describe('the sample from a browser page on another origin (headless Chromium)', () => {
  let running: RunningApp;
  let browser: Browser;
  const pages: Server[] = [];

  beforeAll(async () => {
    running = await startApp({ imports: [AppModule] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of pages) server.close();
    await running?.close();
  });

  async function outcomeOf(pageHost: string): Promise<Record<string, unknown>> {
    const { url, server } = await servePage(pageHost, `${running.baseUrl}/mcp`);
    pages.push(server);
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as unknown as { outcome?: unknown }).outcome !== undefined, undefined, {
        timeout: 15_000,
      });
      return await page.evaluate(() => (globalThis as unknown as { outcome: Record<string, unknown> }).outcome);
    } finally {
      await page.close();
    }
  }

  it('runs the handshake, a tool call and an SSE stream from an allowed origin (http://localhost:<port>)', async () => {
    expect(await outcomeOf('localhost')).toEqual({
      server: 'nest-mcp-sample',
      sessionId: expect.stringMatching(/^[\x21-\x7e]+$/),
      echo: 'from a browser',
      contentType: 'text/event-stream',
      progress: [1, 2, 3],
      result: 'Counted to 3.',
    });
  });

  it('is refused for a page of an origin that is not allowed (http://127.0.0.2:<port>)', async () => {
    expect(await outcomeOf('127.0.0.2')).toEqual({ error: 'TypeError: Failed to fetch' });
  });
});
