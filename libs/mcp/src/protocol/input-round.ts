import type { ClientInput, ClientInputRequest } from '../dispatch/mcp-context.js';
import { JsonRpcErrorCode } from './json-rpc.js';
import { McpError } from './mcp.error.js';
import { digestOf, type RequestStatePayload } from './request-state.codec.js';

/** Methods that may answer `input_required` (MCP 2026-07-28 `basic/patterns/mrtr`, "Supported Requests"). */
export const INPUT_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/**
 * Thrown into a handler that asked a question the client has not answered yet: the round ends and
 * the request is answered `input_required`. An `McpError`, so handlers pass it on untouched; the
 * round remembers what was asked even when a handler swallows it.
 */
export class InputRequiredSignal extends McpError {
  constructor() {
    super(JsonRpcErrorCode.InternalError, 'The request needs input from the client.');
    this.name = 'InputRequiredSignal';
  }
}

type Answer = { question: string; result: Record<string, unknown> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `result` has the shape of an answer to `method` (schema `ElicitResult`, `CreateMessageResult`, `ListRootsResult`). */
export function isAnswerTo(method: ClientInputRequest['method'], result: unknown): result is Record<string, unknown> {
  if (!isObject(result)) return false;
  switch (method) {
    case 'elicitation/create':
      return (
        ['accept', 'decline', 'cancel'].includes(result.action as string) && (result.content === undefined || isObject(result.content))
      );
    case 'sampling/createMessage':
      return (
        typeof result.role === 'string' && typeof result.model === 'string' && (isObject(result.content) || Array.isArray(result.content))
      );
    case 'roots/list':
      return Array.isArray(result.roots) && result.roots.every((root) => isObject(root) && typeof root.uri === 'string');
  }
}

const GENERATED_KEY_PREFIX: Record<ClientInputRequest['method'], string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/**
 * The client input of one round of a 2026-07-28 request (multi round-trip requests). The handler
 * runs from the start on every round; each question it asks is answered from the earlier rounds'
 * answers (sealed in `requestState`), from the client's `inputResponses`, or else recorded as
 * pending, which ends the round. Questions are matched by key and by a digest of what was asked,
 * so an answer is never used for a different question.
 */
export class InputRound implements ClientInput {
  private readonly pending = new Map<string, ClientInputRequest & { question: string }>();
  private readonly used = new Map<string, Answer>();
  private readonly keysAsked = new Set<string>();
  private generated = 0;

  constructor(
    private readonly method: string,
    private readonly previous: Pick<RequestStatePayload, 'answers' | 'asked'> | undefined,
    private readonly responses: Record<string, unknown> | undefined,
  ) {}

  /** Whether the handler asked something still unanswered: the request ends `input_required`. */
  get needsInput(): boolean {
    return this.pending.size > 0;
  }

  async ask(requests: readonly ClientInputRequest[]): Promise<Record<string, unknown>[]> {
    if (!INPUT_METHODS.has(this.method)) {
      throw new McpError(
        JsonRpcErrorCode.InternalError,
        `${this.method} cannot ask the client for input in protocol 2026-07-28; only tools/call, prompts/get and resources/read can.`,
      );
    }
    const results: Record<string, unknown>[] = [];
    for (const request of requests) {
      const key = request.key ?? `${GENERATED_KEY_PREFIX[request.method]}_${++this.generated}`;
      if (this.keysAsked.has(key)) {
        throw new McpError(JsonRpcErrorCode.InternalError, `The handler of ${this.method} asked two questions under the key "${key}".`);
      }
      this.keysAsked.add(key);
      const question = digestOf({ method: request.method, params: request.params });
      const answer = this.answerFor(key, question, request.method);
      if (answer) {
        this.used.set(key, { question, result: answer });
        results.push(answer);
      } else {
        this.pending.set(key, { ...request, key, question });
      }
    }
    if (this.pending.size > 0) throw new InputRequiredSignal();
    return results;
  }

  /** `inputRequests` of the `input_required` result. */
  inputRequests(): Record<string, { method: string; params: Record<string, unknown> }> {
    return Object.fromEntries([...this.pending].map(([key, { method, params }]) => [key, { method, params }]));
  }

  /** What the next round needs to know: every answer used so far and the questions now asked. */
  carriedState(): Pick<RequestStatePayload, 'answers' | 'asked'> {
    return {
      answers: Object.fromEntries(this.used),
      asked: Object.fromEntries([...this.pending].map(([key, { question }]) => [key, question])),
    };
  }

  private answerFor(key: string, question: string, method: ClientInputRequest['method']): Record<string, unknown> | undefined {
    const earlier = this.previous?.answers[key];
    if (earlier && earlier.question === question) return earlier.result;
    if (!this.responses || !(key in this.responses)) return undefined;
    // An answer to what the last round asked under this key, not to a different question.
    const asked = this.previous?.asked[key];
    if (this.previous && asked !== question) return undefined;
    const result = this.responses[key];
    if (!isAnswerTo(method, result)) {
      throw McpError.invalidParams(`inputResponses.${key} is not a valid ${method} result.`);
    }
    return result;
  }
}
