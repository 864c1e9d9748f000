import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { ConformanceContent } from './conformance.content.js';
import { ConformanceInputTools } from './conformance-input.tools.js';
import { ConformanceTools } from './conformance.tools.js';

/** The server the official conformance suite tests: every feature, exact fixture names, no auth. */
@Module({
  imports: [
    McpModule.forRoot({
      name: 'nest-mcp-conformance',
      version: '1.0.0',
      // Localhost origins only (the default): the suite's DNS-rebinding scenario expects a refusal.
    }),
  ],
  providers: [ConformanceTools, ConformanceInputTools, ConformanceContent],
})
export class ConformanceModule {}
