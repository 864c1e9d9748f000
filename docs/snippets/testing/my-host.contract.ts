import { describeSessionHostContract } from '@nest-mcp/mcp/testing';
import { MyHost } from './my-host.js';

describeSessionHostContract(
  'MyHost',
  () => new MyHost({ maxEventsPerStream: 5, maxValueBytes: 1024, maxValuesPerSession: 16, maxStreamsPerSession: 8 }),
  {
    retainedEventsPerStream: 5,
    valueLimitBytes: 1024,
    valuesPerSession: 16,
    streamsPerSession: 8,
  },
);
