import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { SampleTools } from './tools/sample-tools.js';

@Module({
  imports: [
    McpModule.forRoot({
      name: 'nest-mcp-sample',
      version: '0.1.0',
      title: 'nest-mcp sample',
      instructions: 'A sample server: echo text, add numbers, count with progress.',
    }),
  ],
  providers: [SampleTools],
})
export class AppModule {}
