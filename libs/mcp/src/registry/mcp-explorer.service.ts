import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { MCP_TOOL_METADATA } from '../mcp.constants.js';
import type { McpToolOptions } from './mcp-tool.decorator.js';
import { McpRegistry } from './mcp-registry.service.js';

/** Finds `@McpTool()` methods on the app's providers at bootstrap and registers them. */
@Injectable()
export class McpExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: McpRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (instance as Record<string, unknown>)[method];
        if (typeof handler !== 'function') continue;
        const tool = this.reflector.get<McpToolOptions | undefined>(MCP_TOOL_METADATA, handler);
        if (!tool) continue;
        this.registry.addTool(
          { ...tool, handler: handler.bind(instance) as (args: unknown, ctx: unknown) => unknown },
          `${instance.constructor.name}.${method}`,
        );
      }
    }
  }
}
