import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { MathTools } from './math.tools.js';

@Module({
  imports: [McpModule.forRoot({ name: 'my-server', version: '1.0.0' })],
  providers: [MathTools],
})
export class AppModule {}
