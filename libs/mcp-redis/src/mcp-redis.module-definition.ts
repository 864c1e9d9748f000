import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisSessionHostOptions } from './redis-session-host.options.js';

export const { ConfigurableModuleClass: McpRedisConfigurableModule, MODULE_OPTIONS_TOKEN: MCP_REDIS_OPTIONS } =
  new ConfigurableModuleBuilder<RedisSessionHostOptions>({ moduleName: 'McpRedis' }).setClassMethodName('forRoot').build();
