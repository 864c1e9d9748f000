import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  MCP_COMPLETION_METADATA,
  MCP_PROMPT_METADATA,
  MCP_RESOURCE_METADATA,
  MCP_RESOURCE_TEMPLATE_METADATA,
  MCP_TOOL_METADATA,
} from '../mcp.constants.js';
import type { McpCompleteFunction } from './mcp-item.options.js';
import type { McpCompletionTarget, McpPromptOptions } from './mcp-prompt.decorator.js';
import { McpRegistrationError, McpRegistry } from './mcp-registry.service.js';
import type { McpResourceOptions, McpResourceTemplateOptions } from './mcp-resource.decorator.js';
import type { McpToolOptions } from './mcp-tool.decorator.js';

// A decorated method takes whatever parameters its author declared.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BoundMethod = (...args: any[]) => unknown;

/**
 * Finds `@McpTool`, `@McpResource`, `@McpResourceTemplate`, `@McpPrompt` and `@McpCompletion`
 * methods on the app's providers at bootstrap and registers them. Completions are registered last,
 * after the prompts and templates they belong to.
 */
@Injectable()
export class McpExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: McpRegistry,
  ) {}

  onModuleInit(): void {
    const completions: Array<{ target: McpCompletionTarget; handler: BoundMethod; owner: string }> = [];
    for (const { handler, owner, metadata } of this.decoratedMethods()) {
      const tool = metadata<McpToolOptions>(MCP_TOOL_METADATA);
      if (tool) this.registry.addTool({ ...tool, handler }, owner);
      const resource = metadata<McpResourceOptions>(MCP_RESOURCE_METADATA);
      if (resource) this.registry.addResource({ ...resource, handler }, owner);
      const template = metadata<McpResourceTemplateOptions>(MCP_RESOURCE_TEMPLATE_METADATA);
      if (template) this.registry.addResourceTemplate({ ...template, handler }, owner);
      const prompt = metadata<McpPromptOptions>(MCP_PROMPT_METADATA);
      if (prompt) this.registry.addPrompt({ ...prompt, handler }, owner);
      for (const target of metadata<McpCompletionTarget[]>(MCP_COMPLETION_METADATA) ?? []) completions.push({ target, handler, owner });
    }
    for (const { target, handler, owner } of completions) {
      const known =
        'prompt' in target ? this.registry.getPrompt(target.prompt) : this.registry.getResourceTemplate(target.resourceTemplate);
      if (!known) {
        const name = 'prompt' in target ? `prompt "${target.prompt}"` : `resource template ${target.resourceTemplate}`;
        throw new McpRegistrationError(`${owner}: @McpCompletion refers to an unknown ${name}.`);
      }
      this.registry.addCompletion(target, handler as McpCompleteFunction, owner);
    }
  }

  private *decoratedMethods() {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const metadata = <T>(key: string) => this.reflector.get<T | undefined>(key, fn);
        const owner = `${instance.constructor.name}.${method}`;
        const decorated = [
          MCP_TOOL_METADATA,
          MCP_RESOURCE_METADATA,
          MCP_RESOURCE_TEMPLATE_METADATA,
          MCP_PROMPT_METADATA,
          MCP_COMPLETION_METADATA,
        ].some((key) => metadata(key) !== undefined);
        if (!decorated) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          throw new McpRegistrationError(`${owner}: MCP handlers must live on singleton providers, not request-scoped ones.`);
        }
        yield { handler: fn.bind(instance) as BoundMethod, owner, metadata };
      }
    }
  }
}
