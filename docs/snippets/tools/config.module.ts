import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { McpModule } from '@nest-mcp/mcp';

@Module({
  imports: [
    // #region for-root-async
    McpModule.forRootAsync({
      path: '/mcp',
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ name: 'notes', version: config.getOrThrow<string>('VERSION') }),
    }),
    // #endregion
  ],
})
export class AppModule {}
