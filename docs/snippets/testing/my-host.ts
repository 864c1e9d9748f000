import { MemorySessionHost } from '@nest-mcp/mcp';

/** Stands for your own session host in the contract examples. */
export class MyHost extends MemorySessionHost {}
