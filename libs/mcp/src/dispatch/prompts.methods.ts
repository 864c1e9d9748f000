import { HttpException, Injectable } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import type { GetPromptResult, PromptMessage } from '../protocol/mcp.types.js';
import { McpRegistry, type RegisteredPrompt } from '../registry/mcp-registry.service.js';
import { hasScopes, isVisible } from './item-access.js';
import { ItemListing } from './item-listing.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { handlerError, publicToolErrorMessage } from './tool-result.js';

/** A prompt method's return value as a `GetPromptResult`. */
export function toGetPromptResult(value: unknown, description: string | undefined): GetPromptResult {
  if (typeof value === 'string') {
    return { ...(description && { description }), messages: [{ role: 'user', content: { type: 'text', text: value } }] };
  }
  if (Array.isArray(value)) return { ...(description && { description }), messages: value as PromptMessage[] };
  if (typeof value === 'object' && value !== null && Array.isArray((value as GetPromptResult).messages)) {
    return value as GetPromptResult;
  }
  throw new Error('A prompt must return a string, a list of messages or a GetPromptResult.');
}

/** `prompts/list` and `prompts/get` (MCP `server/prompts`), in both eras. */
@Injectable()
export class PromptsMethods implements McpMethodGroup {
  readonly methods: Record<string, MethodHandler> = {
    'prompts/list': (params, ctx) => this.listing.list('prompts', this.registry.listPrompts(), ctx, params.cursor),
    'prompts/get': (params, ctx) => this.get(params, ctx),
  };

  constructor(
    private readonly registry: McpRegistry,
    private readonly listing: ItemListing,
  ) {}

  private async get(params: Record<string, unknown>, ctx: McpContext): Promise<GetPromptResult> {
    const { name } = params;
    if (typeof name !== 'string') throw McpError.invalidParams('prompts/get needs a "name" string.');
    const prompt = this.registry.getPrompt(name);
    if (!prompt || !isVisible(prompt, ctx)) throw McpError.invalidParams(`Unknown prompt: ${name}`);
    if (!hasScopes(prompt, ctx)) throw McpError.invalidParams(`Prompt ${name} needs the scopes: ${prompt.scopes!.join(' ')}`);
    const args = await this.checkArguments(prompt, params.arguments ?? {});
    let value: unknown;
    try {
      value = await prompt.handler(args, ctx);
    } catch (error) {
      // A Nest 4xx (e.g. NotFoundException for an id argument) means the arguments were wrong.
      if (error instanceof HttpException && error.getStatus() < 500) {
        throw McpError.invalidParams(`Invalid arguments for prompt ${name}: ${publicToolErrorMessage(error)}`);
      }
      throw handlerError(error, ctx);
    }
    return toGetPromptResult(value, prompt.descriptor.description);
  }

  private async checkArguments(prompt: RegisteredPrompt, args: unknown): Promise<Record<string, unknown>> {
    const name = prompt.descriptor.name;
    if (
      typeof args !== 'object' ||
      args === null ||
      Array.isArray(args) ||
      Object.values(args).some((value) => typeof value !== 'string')
    ) {
      throw McpError.invalidParams(`Invalid arguments for prompt ${name}: "arguments" must map names to strings.`);
    }
    if (prompt.input) {
      const checked = await prompt.input.validate(args);
      if (!checked.ok) throw McpError.invalidParams(`Invalid arguments for prompt ${name}: ${checked.message}`);
      return checked.value as Record<string, unknown>;
    }
    const missing = (prompt.descriptor.arguments ?? []).filter((argument) => argument.required && !(argument.name in args));
    if (missing.length > 0) {
      throw McpError.invalidParams(`Invalid arguments for prompt ${name}: missing ${missing.map((argument) => argument.name).join(', ')}.`);
    }
    return args as Record<string, unknown>;
  }
}
