import { MemorySessionHost } from '@nest-mcp/mcp';
import { describeSessionHostContract } from '@nest-mcp/mcp/testing';

// The testing kit under the app's runner (Vitest's globals, or Jest's).
describeSessionHostContract('MemorySessionHost', () => new MemorySessionHost({ maxEventsPerStream: 5, maxValueBytes: 64, maxValuesPerSession: 4, maxStreamsPerSession: 3 }), {
  retainedEventsPerStream: 5,
  valueLimitBytes: 64,
  valuesPerSession: 4,
  streamsPerSession: 3,
});
