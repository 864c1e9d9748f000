import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

/** Runs `build_report` as a task with the official v1 SDK client and returns the report's text. */
export async function buildReport(url: string, topic: string): Promise<{ text: string; statuses: string[] }> {
  const client = new Client({ name: 'reports-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    // #region stream
    const statuses: string[] = [];
    let text = '';
    const stream = client.experimental.tasks.callToolStream(
      { name: 'build_report', arguments: { topic, sections: 3 } },
      CallToolResultSchema,
      { task: { ttl: 60 * 60 * 1000 } }, // ask for a task kept one hour
    );
    for await (const message of stream) {
      if (message.type === 'taskCreated' || message.type === 'taskStatus') statuses.push(message.task.status);
      if (message.type === 'result') text = message.result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      if (message.type === 'error') throw message.error;
    }
    // #endregion
    return { text, statuses };
  } finally {
    await client.close();
  }
}
