import { ConfigurableModuleBuilder } from '@nestjs/common';
import { MCP_ENDPOINT_PATH } from './mcp.constants.js';
import type { McpModuleExtras, McpModuleOptions } from './mcp.options.js';
import { createMcpController } from './transport/mcp.controller.js';
import { normalizeEndpointPath } from './transport/http-rules.js';

export const {
  ConfigurableModuleClass: McpConfigurableModule,
  MODULE_OPTIONS_TOKEN: MCP_MODULE_OPTIONS,
  OPTIONS_TYPE: MCP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MCP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<McpModuleOptions>({ moduleName: 'Mcp' })
  .setClassMethodName('forRoot')
  .setExtras<McpModuleExtras>({ path: '/mcp' }, (definition, extras) => {
    // The path must be known when the module is defined, before any async factory runs, because
    // Nest reads controller paths while scanning modules; hence an "extra", not an option.
    const path = normalizeEndpointPath(extras.path ?? '/mcp');
    return {
      ...definition,
      // One MCP server per app: McpRegistry and McpSessionEvents are injectable in every feature
      // module without importing McpModule there (which would create a second server).
      global: true,
      controllers: [...(definition.controllers ?? []), createMcpController(path)],
      providers: [...(definition.providers ?? []), { provide: MCP_ENDPOINT_PATH, useValue: path }],
    };
  })
  .build();
