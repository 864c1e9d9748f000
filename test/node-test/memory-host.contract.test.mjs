// The SessionHost contract suite under node:test, with the memory host: the testing kit needs no
// Jest. Run by test/testing-kit.e2e-spec.ts (`node --test`), against the built package.
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemorySessionHost } from '@nest-mcp/mcp';
import { describeSessionHostContract } from '@nest-mcp/mcp/testing';

describeSessionHostContract(
  'MemorySessionHost under node:test',
  () => new MemorySessionHost({ maxEventsPerStream: 5, maxValueBytes: 64, maxValuesPerSession: 4, maxStreamsPerSession: 3 }),
  {
    runner: { describe, it, beforeEach, afterEach },
    retainedEventsPerStream: 5,
    valueLimitBytes: 64,
    valuesPerSession: 4,
    streamsPerSession: 3,
  },
);
