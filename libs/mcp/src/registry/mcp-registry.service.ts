import { Injectable } from '@nestjs/common';
import type { McpContext } from '../dispatch/mcp-context.js';
import type { Tool } from '../protocol/mcp.types.js';
import type { McpToolOptions } from './mcp-tool.decorator.js';
import { compileSchema, type CompiledSchema } from './schema.compiler.js';

/** A tool added at run time: the decorator's options plus the function to run. */
export interface McpToolDefinition extends McpToolOptions {
  handler: (args: any, ctx: McpContext) => unknown;
}

/** A tool as the dispatcher uses it: wire descriptor and validators prepared once. */
export interface RegisteredTool {
  descriptor: Tool;
  input?: CompiledSchema;
  output?: CompiledSchema;
  handler: (args: unknown, ctx: McpContext) => unknown;
  /** Where it was declared (`Provider.method`), for error messages. */
  owner: string;
  /** OAuth scopes a caller needs (`McpToolOptions.scopes`); not part of the wire descriptor. */
  scopes?: string[];
}

/** A tool (or later resource, prompt) cannot be registered; thrown at bootstrap or by `McpRegistry`. */
export class McpRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpRegistrationError';
  }
}

/** A tool's `scopes`: RFC 6749 §3.3 scope tokens. */
function checkScopes(scopes: unknown, owner: string): string[] {
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw new McpRegistrationError(`${owner}: "scopes" must be a list of OAuth scope tokens (printable ASCII, no space, quote or backslash).`);
  }
  return [...new Set(scopes as string[])];
}

/** MCP 2025-11-25 `server/tools`, "Tool Names" (SEP-986). */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} } as const;

/**
 * Every tool the server offers: those found on decorated providers at bootstrap and those added at
 * run time. Names are unique.
 */
@Injectable()
export class McpRegistry {
  private readonly tools = new Map<string, RegisteredTool>();

  /** Adds a tool; fails when the name is invalid or taken, or a schema cannot be compiled. */
  addTool(definition: McpToolDefinition, owner = `tool "${definition.name}"`): void {
    const { name, handler, input, output, scopes, ...metadata } = definition;
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      throw new McpRegistrationError(
        `${owner}: invalid tool name ${JSON.stringify(name)}; use 1-128 characters of A-Z a-z 0-9 _ - .`,
      );
    }
    const existing = this.tools.get(name);
    if (existing) {
      throw new McpRegistrationError(`Duplicate MCP tool name "${name}": declared by ${existing.owner} and ${owner}.`);
    }
    if (typeof handler !== 'function') throw new McpRegistrationError(`${owner}: the tool handler must be a function.`);
    const compiledInput = input === undefined ? undefined : compileSchema(input, 'input', owner);
    const compiledOutput = output === undefined ? undefined : compileSchema(output, 'output', owner);
    for (const [role, schema] of [['input', compiledInput], ['output', compiledOutput]] as const) {
      if (schema && schema.jsonSchema.type !== 'object') {
        throw new McpRegistrationError(`${owner}: the ${role} schema must describe an object (type: "object").`);
      }
    }
    this.tools.set(name, {
      descriptor: {
        name,
        ...metadata,
        inputSchema: compiledInput?.jsonSchema ?? { ...EMPTY_OBJECT_SCHEMA },
        ...(compiledOutput && { outputSchema: compiledOutput.jsonSchema }),
      },
      input: compiledInput,
      output: compiledOutput,
      handler,
      owner,
      ...(scopes && scopes.length > 0 && { scopes: checkScopes(scopes, owner) }),
    });
  }

  /** Removes a tool; resolves to whether it existed. */
  removeTool(name: string): boolean {
    return this.tools.delete(name);
  }

  getTool(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  listTools(): RegisteredTool[] {
    return [...this.tools.values()];
  }
}
