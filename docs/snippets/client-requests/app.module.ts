import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { TripsService, TripsTools } from './trips.tools.js';

@Module({
  imports: [
    // #region secret
    McpModule.forRoot({ name: 'trips', version: '1.0.0', requestStateSecret: process.env.MCP_REQUEST_STATE_SECRET }),
    // #endregion
  ],
  providers: [TripsService, TripsTools],
})
export class AppModule {}
