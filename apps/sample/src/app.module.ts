import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { mcpAuthFromEnv } from './auth.config.js';
import { SampleTools } from './tools/sample-tools.js';

// OAuth when MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE are set (README, "Securing the endpoint").
const auth = mcpAuthFromEnv();

@Module({
  imports: [
    McpModule.forRoot({
      name: 'nest-mcp-sample',
      version: '0.1.0',
      title: 'nest-mcp sample',
      instructions: 'A sample server: echo text, add numbers, count with progress.',
      ...(auth && { auth }),
      // The public base URL behind a reverse proxy, for the OAuth metadata URLs.
      ...(process.env.MCP_PUBLIC_URL && { publicUrl: process.env.MCP_PUBLIC_URL }),
    }),
  ],
  providers: [SampleTools],
})
export class AppModule {}
