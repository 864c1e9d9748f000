import { SetMetadata } from '@nestjs/common';
import { MCP_COMPLETION_METADATA, MCP_PROMPT_METADATA } from '../mcp.constants.js';
import type { PromptArgument } from '../protocol/mcp.types.js';
import type { McpCompleteFunction, McpItemOptions } from './mcp-item.options.js';
import type { StandardJsonSchema } from './schema.compiler.js';

/** A prompt argument declared as a list entry, optionally with its own completion. */
export interface McpPromptArgument extends PromptArgument {
  complete?: McpCompleteFunction;
}

export interface McpPromptOptions extends McpItemOptions {
  name: string;
  description: string;
  /**
   * Arguments: a zod 4 object of strings (any Standard JSON Schema; validated, and its properties'
   * descriptions become the argument list) or a plain list of arguments. Prompt arguments are
   * always strings on the wire.
   */
  arguments?: StandardJsonSchema | McpPromptArgument[];
  /** Value suggestions per argument (`completion/complete` with `ref/prompt`). */
  complete?: Record<string, McpCompleteFunction>;
}

/**
 * Exposes a provider method as a prompt. The method receives `(args, ctx)` and returns a
 * `GetPromptResult`, a list of `PromptMessage`s, or a string (one user text message). A Nest 4xx
 * `HttpException` it throws (e.g. `NotFoundException` for an unknown id) is answered -32602 with
 * its message; any other error, -32603 without details.
 */
export const McpPrompt = (options: McpPromptOptions): MethodDecorator => SetMetadata(MCP_PROMPT_METADATA, options);

export type McpCompletionTarget = { prompt: string; argument: string } | { resourceTemplate: string; argument: string };

/**
 * Makes a provider method the completion source of one prompt argument or template variable. The
 * method receives `(value, { arguments, ctx })` and returns suggested values; unlike a `complete`
 * function in decorator options it can use the provider's injected services. Stack several on one
 * method to complete several arguments the same way.
 *
 * @example
 * ＠McpCompletion({ prompt: 'summarize_note', argument: 'noteId' })
 * ＠McpCompletion({ resourceTemplate: 'notes://{id}', argument: 'id' })
 * noteIds(value: string) { return this.notes.ids().filter((id) => id.startsWith(value)); }
 */
export const McpCompletion =
  (target: McpCompletionTarget): MethodDecorator =>
  (_prototype, _key, descriptor) => {
    // Metadata is a list so that stacked decorators add up instead of replacing each other.
    const targets = (Reflect.getMetadata(MCP_COMPLETION_METADATA, descriptor.value as object) ?? []) as McpCompletionTarget[];
    Reflect.defineMetadata(MCP_COMPLETION_METADATA, [target, ...targets], descriptor.value as object);
    return descriptor;
  };
