import { Injectable } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import type { CompleteResult } from '../protocol/mcp.types.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import type { McpCompletionTarget } from '../registry/mcp-prompt.decorator.js';
import { isVisible } from './item-access.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';

/** At most this many values per answer (MCP 2025-11-25 `server/utilities/completion`). */
const MAX_VALUES = 100;

/** `completion/complete` for prompt arguments and resource-template variables. */
@Injectable()
export class CompletionMethods implements McpMethodGroup {
  readonly methods: Record<string, MethodHandler> = {
    'completion/complete': (params, ctx) => this.complete(params, ctx),
  };

  constructor(private readonly registry: McpRegistry) {}

  private async complete(params: Record<string, unknown>, ctx: McpContext): Promise<CompleteResult> {
    const ref = params.ref as Record<string, unknown> | undefined;
    const argument = params.argument as Record<string, unknown> | undefined;
    if (typeof argument?.name !== 'string' || typeof argument.value !== 'string') {
      throw McpError.invalidParams('completion/complete needs "argument" with a "name" and a "value" string.');
    }
    const target = this.target(ref, argument.name, ctx);
    const complete = this.registry.getCompletion(target);
    if (!complete) return { completion: { values: [] } };
    const context = (params.context as { arguments?: Record<string, string> } | undefined)?.arguments ?? {};
    const values = await complete(argument.value, { arguments: context, ctx });
    return {
      completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES },
    };
  }

  private target(ref: Record<string, unknown> | undefined, argument: string, ctx: McpContext): McpCompletionTarget {
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const prompt = this.registry.getPrompt(ref.name);
      if (!prompt || !isVisible(prompt, ctx)) throw McpError.invalidParams(`Unknown prompt: ${ref.name}`);
      return { prompt: ref.name, argument };
    }
    if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
      const template = this.registry.getResourceTemplate(ref.uri);
      if (!template || !isVisible(template, ctx)) throw McpError.invalidParams(`Unknown resource template: ${ref.uri}`);
      return { resourceTemplate: ref.uri, argument };
    }
    throw McpError.invalidParams('completion/complete needs a "ref" of type ref/prompt (with name) or ref/resource (with uri).');
  }
}
