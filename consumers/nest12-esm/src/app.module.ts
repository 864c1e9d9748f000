import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { GreetingTools } from './greeting.tools.js';

@Module({
  imports: [McpModule.forRoot({ name: 'nest12-esm', version: '0.0.1' })],
  controllers: [AppController],
  providers: [AppService, GreetingTools],
})
export class AppModule {}
