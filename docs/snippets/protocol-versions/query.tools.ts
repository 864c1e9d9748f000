import { Injectable } from '@nestjs/common';
import { McpTool } from '@nest-mcp/mcp';
import { z } from 'zod';

/** Runs SQL in one region's database. */
@Injectable()
export class Database {
  in(region: string) {
    return { run: async (sql: string) => `${region}: ${sql}` };
  }
}

@Injectable()
export class QueryTools {
  constructor(private readonly database: Database) {}

  // #region header
  @McpTool({
    name: 'run_query',
    description: 'Runs a query in one region.',
    input: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }), sql: z.string() }),
  })
  runQuery({ region, sql }: { region: string; sql: string }) {
    return this.database.in(region).run(sql);
  }
  // #endregion

  // #region cache
  @McpTool({
    name: 'list_regions',
    description: 'The regions queries can run in.',
    cache: { ttlMs: 60_000, scope: 'public' }, // its part of tools/list: fresh for a minute, for any caller
  })
  regions() {
    return ['eu', 'us'];
  }
  // #endregion
}
