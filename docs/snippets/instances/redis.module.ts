// #region redis
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { McpModule } from '@nest-mcp/mcp';
import { McpRedisModule, RedisSessionHost } from '@nest-mcp/mcp-redis';

@Module({
  imports: [
    McpModule.forRootAsync({
      imports: [
        McpRedisModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ url: config.getOrThrow<string>('REDIS_URL') }),
        }),
        ConfigModule,
      ],
      inject: [RedisSessionHost, ConfigService],
      useFactory: (sessionHost: RedisSessionHost, config: ConfigService) => ({
        name: 'notes',
        version: '1.0.0',
        sessionHost,
        requestStateSecret: config.getOrThrow<string>('MCP_REQUEST_STATE_SECRET'), // the same on every instance
      }),
    }),
  ],
})
export class AppModule {}
// #endregion
