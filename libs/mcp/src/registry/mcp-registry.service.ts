import { Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { checkCacheHint, type McpCacheHint } from '../dispatch/cache-hints.js';
import type { McpContext } from '../dispatch/mcp-context.js';
import type { Prompt, PromptArgument, Resource, ResourceTemplate, Tool } from '../protocol/mcp.types.js';
import type { McpCompleteFunction, McpItemOptions } from './mcp-item.options.js';
import type { McpCompletionTarget, McpPromptOptions } from './mcp-prompt.decorator.js';
import type { McpResourceOptions, McpResourceRequest, McpResourceTemplateOptions } from './mcp-resource.decorator.js';
import type { McpToolOptions } from './mcp-tool.decorator.js';
import { headerParamsOf, type HeaderParam } from './header-params.js';
import { compileSchema, isStandardSchema, type CompiledSchema } from './schema.compiler.js';
import { UriTemplate } from './uri-template.js';
import type { McpTaskSupport } from '../tasks/task.types.js';

type Handler<A> = (first: A, ctx: McpContext) => unknown;

/** A tool added at run time: the decorator's options plus the function to run. */
export interface McpToolDefinition extends McpToolOptions {
  // The arguments were validated against `input`; `any` lets the handler declare their type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: any, ctx: McpContext) => unknown;
}

export interface McpResourceDefinition extends McpResourceOptions {
  handler: Handler<McpResourceRequest>;
}

export interface McpResourceTemplateDefinition extends McpResourceTemplateOptions {
  handler: Handler<McpResourceRequest>;
}

export interface McpPromptDefinition extends McpPromptOptions {
  // The arguments were validated against `arguments`; `any` lets the handler declare their type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: any, ctx: McpContext) => unknown;
}

/** What every registered item keeps besides its wire descriptor. */
interface RegisteredItem {
  /** Where it was declared (`Provider.method`), for error messages. */
  owner: string;
  /** OAuth scopes a caller needs; not part of the wire descriptor. */
  scopes?: string[];
  visible?: (ctx: McpContext) => boolean;
  cache?: McpCacheHint;
}

/** A tool as the dispatcher uses it: wire descriptor and validators prepared once. */
export interface RegisteredTool extends RegisteredItem {
  /** The 2026-07-28 descriptor. */
  descriptor: Tool;
  /** The 2025 descriptor: with `execution.taskSupport` for a tool that may run as a task. */
  legacyDescriptor: Tool;
  task: McpTaskSupport;
  taskStart: 'call' | 'handler';
  input?: CompiledSchema;
  output?: CompiledSchema;
  /** Arguments 2026-07-28 clients mirror into `Mcp-Param-*` headers (`x-mcp-header`). */
  headerParams: readonly HeaderParam[];
  handler: Handler<unknown>;
}

export interface RegisteredResource extends RegisteredItem {
  descriptor: Resource;
  handler: Handler<McpResourceRequest>;
}

export interface RegisteredResourceTemplate extends RegisteredItem {
  descriptor: ResourceTemplate;
  template: UriTemplate;
  handler: Handler<McpResourceRequest>;
  /** The resources it lists in `resources/list`, if it lists any. */
  list?: McpResourceTemplateOptions['list'];
}

export interface RegisteredPrompt extends RegisteredItem {
  descriptor: Prompt;
  /** Validator of a schema-declared argument object. */
  input?: CompiledSchema;
  handler: Handler<Record<string, unknown>>;
}

/** Which list a change affected; one `notifications/<kind>/list_changed` follows. */
export type McpListKind = 'tools' | 'resources' | 'prompts';

/** A definition cannot be registered; thrown at bootstrap or by `McpRegistry`. */
export class McpRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpRegistrationError';
  }
}

/** MCP 2025-11-25 `server/tools`, "Tool Names" (SEP-986); prompts follow the same rule here. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} } as const;

/** RFC 6749 §3.3 scope tokens. */
function checkScopes(scopes: unknown, owner: string): string[] | undefined {
  if (scopes === undefined || (Array.isArray(scopes) && scopes.length === 0)) return undefined;
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw new McpRegistrationError(
      `${owner}: "scopes" must be a list of OAuth scope tokens (printable ASCII, no space, quote or backslash).`,
    );
  }
  return [...new Set(scopes as string[])];
}

function checkHandler(handler: unknown, owner: string): void {
  if (typeof handler !== 'function') throw new McpRegistrationError(`${owner}: the handler must be a function.`);
}

/** Splits the registry-only options (scopes, visible, cache) from what goes on the wire. */
function itemParts<T extends McpItemOptions>(options: T, owner: string) {
  const { scopes, visible, cache, ...wire } = options;
  try {
    checkCacheHint(cache, owner);
  } catch (error) {
    throw new McpRegistrationError((error as Error).message);
  }
  return { wire, item: { owner, scopes: checkScopes(scopes, owner), visible, cache } satisfies RegisteredItem };
}

const completionKey = (target: McpCompletionTarget): string =>
  'prompt' in target
    ? `prompt\u0000${target.prompt}\u0000${target.argument}`
    : `template\u0000${target.resourceTemplate}\u0000${target.argument}`;

/**
 * Every tool, resource, resource template, prompt and completion the server offers: those found
 * on decorated providers at bootstrap and those added or removed at run time. Each change is
 * reported on {@link changes$}, which the module turns into `list_changed` notifications.
 */
@Injectable()
export class McpRegistry {
  private readonly tools = new Map<string, RegisteredTool>();
  private readonly resources = new Map<string, RegisteredResource>();
  private readonly templates = new Map<string, RegisteredResourceTemplate>();
  private readonly prompts = new Map<string, RegisteredPrompt>();
  private readonly completions = new Map<string, McpCompleteFunction>();
  private readonly changes = new Subject<McpListKind>();
  private sorted: Record<string, unknown[]> = {};

  /** The list each add or remove changed. */
  readonly changes$: Observable<McpListKind> = this.changes.asObservable();

  /** Adds a tool; fails when the name is invalid or taken, or a schema cannot be compiled. */
  addTool(definition: McpToolDefinition, owner = `tool "${definition.name}"`): void {
    const { handler, input, output, task = 'forbidden', taskStart = 'call', ...options } = definition;
    if (!['forbidden', 'optional', 'required'].includes(task) || !['call', 'handler'].includes(taskStart)) {
      throw new McpRegistrationError(`${owner}: "task" must be forbidden, optional or required, and "taskStart" call or handler.`);
    }
    const { wire, item } = itemParts(options, owner);
    this.checkName(wire.name, 'tool', owner, this.tools);
    checkHandler(handler, owner);
    const compiledInput = input === undefined ? undefined : compileSchema(input, 'input', owner);
    const compiledOutput = output === undefined ? undefined : compileSchema(output, 'output', owner);
    for (const [role, schema] of [
      ['input', compiledInput],
      ['output', compiledOutput],
    ] as const) {
      if (schema && schema.jsonSchema.type !== 'object') {
        throw new McpRegistrationError(`${owner}: the ${role} schema must describe an object (type: "object").`);
      }
    }
    let headerParams: HeaderParam[];
    try {
      headerParams = compiledInput ? headerParamsOf(compiledInput.jsonSchema) : [];
    } catch (error) {
      throw new McpRegistrationError(`${owner}: ${(error as Error).message}`);
    }
    const descriptor: Tool = {
      ...wire,
      inputSchema: compiledInput?.jsonSchema ?? { ...EMPTY_OBJECT_SCHEMA },
      ...(compiledOutput && { outputSchema: compiledOutput.jsonSchema }),
    };
    this.tools.set(wire.name, {
      ...item,
      headerParams,
      descriptor,
      // 2026-07-28 tools have no `execution`: the tasks extension decides per request (SEP-2663).
      legacyDescriptor: task === 'forbidden' ? descriptor : { ...descriptor, execution: { taskSupport: task } },
      task,
      taskStart,
      input: compiledInput,
      output: compiledOutput,
      handler,
    });
    this.changed('tools');
  }

  /** Removes a tool; returns whether it existed. */
  removeTool(name: string): boolean {
    return this.removed(this.tools.delete(name), 'tools');
  }

  addResource(definition: McpResourceDefinition, owner = `resource ${definition.uri}`): void {
    const { handler, ...options } = definition;
    const { wire, item } = itemParts(options, owner);
    checkHandler(handler, owner);
    if (typeof wire.uri !== 'string' || !URL.canParse(wire.uri)) {
      throw new McpRegistrationError(`${owner}: "uri" must be an absolute URI.`);
    }
    if (!wire.name) throw new McpRegistrationError(`${owner}: a resource needs a "name".`);
    const existing = this.resources.get(wire.uri);
    if (existing) throw new McpRegistrationError(`Duplicate MCP resource ${wire.uri}: declared by ${existing.owner} and ${owner}.`);
    this.resources.set(wire.uri, { ...item, descriptor: wire, handler });
    this.changed('resources');
  }

  removeResource(uri: string): boolean {
    return this.removed(this.resources.delete(uri), 'resources');
  }

  addResourceTemplate(definition: McpResourceTemplateDefinition, owner = `resource template ${definition.uriTemplate}`): void {
    const { handler, complete, list, ...options } = definition;
    const { wire, item } = itemParts(options, owner);
    checkHandler(handler, owner);
    if (list !== undefined) checkHandler(list, owner);
    if (!wire.name) throw new McpRegistrationError(`${owner}: a resource template needs a "name".`);
    const existing = this.templates.get(wire.uriTemplate);
    if (existing) {
      throw new McpRegistrationError(`Duplicate MCP resource template ${wire.uriTemplate}: declared by ${existing.owner} and ${owner}.`);
    }
    let template: UriTemplate;
    try {
      template = new UriTemplate(wire.uriTemplate);
    } catch (error) {
      throw new McpRegistrationError(`${owner}: ${(error as Error).message}`);
    }
    this.addCompletions(
      Object.entries(complete ?? {}).map(([argument, fn]) => [{ resourceTemplate: wire.uriTemplate, argument }, fn]),
      owner,
    );
    this.templates.set(wire.uriTemplate, { ...item, descriptor: wire, template, handler, ...(list && { list }) });
    this.changed('resources');
  }

  removeResourceTemplate(uriTemplate: string): boolean {
    this.dropCompletions(`template\u0000${uriTemplate}\u0000`);
    return this.removed(this.templates.delete(uriTemplate), 'resources');
  }

  addPrompt(definition: McpPromptDefinition, owner = `prompt "${definition.name}"`): void {
    const { handler, arguments: declared, complete, ...options } = definition;
    const { wire, item } = itemParts(options, owner);
    this.checkName(wire.name, 'prompt', owner, this.prompts);
    checkHandler(handler, owner);
    const completions: Record<string, McpCompleteFunction> = { ...complete };
    let input: CompiledSchema | undefined;
    let argumentList: PromptArgument[] | undefined;
    if (isStandardSchema(declared)) {
      input = compileSchema(declared, 'input', owner);
      argumentList = promptArguments(input.jsonSchema, owner);
    } else if (declared !== undefined) {
      argumentList = declared.map(({ complete: fn, ...argument }) => {
        if (fn) completions[argument.name] = fn;
        return argument;
      });
    }
    this.addCompletions(
      Object.entries(completions).map(([argument, fn]) => [{ prompt: wire.name, argument }, fn]),
      owner,
    );
    this.prompts.set(wire.name, {
      ...item,
      descriptor: { ...wire, ...(argumentList && { arguments: argumentList }) },
      input,
      handler,
    });
    this.changed('prompts');
  }

  removePrompt(name: string): boolean {
    this.dropCompletions(`prompt\u0000${name}\u0000`);
    return this.removed(this.prompts.delete(name), 'prompts');
  }

  /** Sets the completion source of one prompt argument or template variable. */
  addCompletion(target: McpCompletionTarget, complete: McpCompleteFunction, owner = 'completion'): void {
    this.addCompletions([[target, complete]], owner);
  }

  /** Adds several completions, or none when one of them is invalid or taken. */
  private addCompletions(entries: Array<[McpCompletionTarget, McpCompleteFunction]>, owner: string): void {
    const keyed = entries.map(([target, complete]) => {
      checkHandler(complete, owner);
      const key = completionKey(target);
      if (this.completions.has(key)) {
        throw new McpRegistrationError(`${owner}: ${key.replaceAll('\u0000', ' ')} already has a completion.`);
      }
      return [key, complete] as const;
    });
    for (const [key, complete] of keyed) this.completions.set(key, complete);
  }

  getTool(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  listTools(): readonly RegisteredTool[] {
    return this.inOrder('tools', this.tools);
  }

  getResource(uri: string): RegisteredResource | undefined {
    return this.resources.get(uri);
  }

  listResources(): readonly RegisteredResource[] {
    return this.inOrder('resources', this.resources);
  }

  listResourceTemplates(): readonly RegisteredResourceTemplate[] {
    return this.inOrder('templates', this.templates);
  }

  getResourceTemplate(uriTemplate: string): RegisteredResourceTemplate | undefined {
    return this.templates.get(uriTemplate);
  }

  /** The first template, in registration order, that matches `uri`, with the URI's variables. */
  matchTemplate(uri: string): { template: RegisteredResourceTemplate; variables: Record<string, string> } | undefined {
    for (const template of this.templates.values()) {
      const variables = template.template.match(uri);
      if (variables) return { template, variables };
    }
    return undefined;
  }

  getPrompt(name: string): RegisteredPrompt | undefined {
    return this.prompts.get(name);
  }

  listPrompts(): readonly RegisteredPrompt[] {
    return this.inOrder('prompts', this.prompts);
  }

  getCompletion(target: McpCompletionTarget): McpCompleteFunction | undefined {
    return this.completions.get(completionKey(target));
  }

  get hasCompletions(): boolean {
    return this.completions.size > 0;
  }

  private checkName(name: unknown, kind: string, owner: string, taken: Map<string, RegisteredItem>): asserts name is string {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new McpRegistrationError(`${owner}: invalid ${kind} name ${JSON.stringify(name)}; use 1-128 characters of A-Z a-z 0-9 _ - .`);
    }
    const existing = taken.get(name);
    if (existing) throw new McpRegistrationError(`Duplicate MCP ${kind} name "${name}": declared by ${existing.owner} and ${owner}.`);
  }

  private dropCompletions(prefix: string): void {
    for (const key of [...this.completions.keys()]) if (key.startsWith(prefix)) this.completions.delete(key);
  }

  private changed(kind: McpListKind): void {
    this.sorted = {};
    this.changes.next(kind);
  }

  /** `items` sorted by `key` once per change, so every list is in the same order on every instance. */
  private inOrder<T>(name: string, items: Map<string, T>): T[] {
    const cached = this.sorted[name] as T[] | undefined;
    if (cached) return cached;
    const ordered = [...items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
    this.sorted[name] = ordered;
    return ordered;
  }

  private removed(existed: boolean, kind: McpListKind): boolean {
    if (existed) this.changed(kind);
    return existed;
  }
}

/** The argument list of a prompt declared with an object schema: every property is a string argument. */
function promptArguments(schema: Record<string, unknown>, owner: string): PromptArgument[] {
  if (schema.type !== 'object') throw new McpRegistrationError(`${owner}: prompt arguments must be an object schema.`);
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    ...(typeof property.title === 'string' && { title: property.title }),
    ...(typeof property.description === 'string' && { description: property.description }),
    required: required.has(name),
  }));
}
