import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { GreetingTools } from './greeting.tools';

@Module({
  imports: [McpModule.forRoot({ name: 'nest11-cjs', version: '0.0.1' })],
  controllers: [AppController],
  providers: [AppService, GreetingTools],
})
export class AppModule {}
