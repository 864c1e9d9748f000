import { McpModule } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './support/app.js';
import { openSession, postMcp } from './support/http.js';
import { SwitchableSessionHost } from './support/switchable-host.js';

/**
 * A shared host that, on demand, loses its store while a session read is on its way back: the
 * answer left before the loss, the node gets it after the reconnection, as with a Redis that
 * restarted empty between the two.
 */
class HostLosingDataMidRead extends SwitchableSessionHost {
  loseDuringNextRead = false;

  override async getSession(sessionId: string) {
    const session = await super.getSession(sessionId);
    if (this.loseDuringNextRead) {
      this.loseDuringNextRead = false;
      await super.deleteSession(sessionId);
      this.available = false;
      this.available = true;
    }
    return session;
  }
}

const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

describe('session cache of a shared host', () => {
  let running: RunningApp;
  const sessionHost = new HostLosingDataMidRead();

  beforeAll(async () => {
    running = await startApp({ imports: [McpModule.forRoot({ name: 'cache', version: '1.0.0', sessionHost })] });
  });

  afterAll(() => running.close());

  it('does not keep a copy read before the host was lost: the next request asks the host again', async () => {
    const url = `${running.baseUrl}/mcp`;
    const sessionId = await openSession(url);
    // A lost connection: the copy cached at initialize is no longer trusted, so the next request reads.
    sessionHost.available = false;
    sessionHost.available = true;
    sessionHost.loseDuringNextRead = true;

    // Read before the loss: served from what the host said then.
    expect((await postMcp(url, listTools, { sessionId })).status).toBe(200);
    // The host has lost the session since: a copy cached from that read would still answer 200.
    const after = await postMcp(url, listTools, { sessionId });
    expect(after.status).toBe(404);
  });
});
