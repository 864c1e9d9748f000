import { Injectable } from '@nestjs/common';
import { JsonRpcErrorCode } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import { isAnswerTo } from '../protocol/input-round.js';
import { TaskRunner } from '../tasks/task-runner.service.js';
import { RELATED_TASK_META, TASKS_EXTENSION, detailedTask, isTerminal, legacyTask } from '../tasks/task.types.js';
import type { ClientInputRequest, McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';

/** Whether the request's client declared the 2026-07-28 tasks extension (per request: SEP-2663). */
export const acceptsTasks = (ctx: McpContext): boolean =>
  (ctx.clientCapabilities as { extensions?: Record<string, unknown> }).extensions?.[TASKS_EXTENSION] !== undefined;

/** -32021 for a client without the tasks extension, naming it as `data.requiredCapabilities` (SEP-2663). */
export const missingTasksExtension = (detail: string): McpError =>
  new McpError(JsonRpcErrorCode.MissingRequiredClientCapability, `Missing required client capability: ${detail}`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });

/**
 * The task methods: 2025-11-25 experimental tasks on sessions (`tasks/get`, `tasks/result`,
 * `tasks/list`, `tasks/cancel`; MCP 2025-11-25 `basic/utilities/tasks`) and the 2026-07-28
 * extension `io.modelcontextprotocol/tasks` (`tasks/get`, `tasks/update`, `tasks/cancel`;
 * `tasks/result` and `tasks/list` are gone there, so they answer -32601).
 */
@Injectable()
export class TasksMethods implements McpMethodGroup {
  readonly legacyMethods: Record<string, MethodHandler> = {
    'tasks/get': async ({ taskId }, ctx) => legacyTask(await this.tasks.get(taskId, this.tasks.ownerOf(ctx))),
    'tasks/result': (params, ctx) => this.result(params.taskId, ctx),
    'tasks/list': async ({ cursor }, ctx) => {
      const { tasks, nextCursor } = await this.tasks.list(this.tasks.ownerOf(ctx), cursor);
      return { tasks: tasks.map(legacyTask), ...(nextCursor !== undefined && { nextCursor }) };
    },
    'tasks/cancel': async ({ taskId }, ctx) => {
      const owner = this.tasks.ownerOf(ctx);
      const { status } = await this.tasks.get(taskId, owner);
      // 2025-11-25: cancelling a finished task is an error.
      if (isTerminal(status)) throw McpError.invalidParams(`Cannot cancel task: already in terminal status '${status}'.`);
      return legacyTask(await this.tasks.cancel(taskId, owner));
    },
  };

  readonly modernMethods: Record<string, MethodHandler> = {
    'tasks/get': async ({ taskId }, ctx) => detailedTask(await this.tasks.get(taskId, this.ownerOf(ctx, 'tasks/get'))),
    'tasks/update': async ({ taskId, inputResponses }, ctx) => {
      const owner = this.ownerOf(ctx, 'tasks/update');
      if (typeof inputResponses !== 'object' || inputResponses === null || Array.isArray(inputResponses)) {
        throw McpError.invalidParams('inputResponses must be an object whose keys are those of the inputRequests it answers.');
      }
      await this.tasks.answer(taskId, owner, inputResponses as Record<string, unknown>, (method, answer) => {
        if (!isAnswerTo(method as ClientInputRequest['method'], answer))
          throw McpError.invalidParams(`An answer is not a valid ${method} result.`);
      });
      return {};
    },
    // Cancelling is acknowledged, also for a finished task (SEP-2663: cancellation is cooperative).
    'tasks/cancel': async ({ taskId }, ctx) => {
      await this.tasks.cancel(taskId, this.ownerOf(ctx, 'tasks/cancel'));
      return {};
    },
  };

  constructor(private readonly tasks: TaskRunner) {}

  /** The caller's tasks' owner, after checking it declared the extension (before any task lookup, SEP-2663). */
  private ownerOf(ctx: McpContext, method: string): string {
    if (!acceptsTasks(ctx)) throw missingTasksExtension(`${method} needs the ${TASKS_EXTENSION} extension.`);
    return this.tasks.ownerOf(ctx);
  }

  /** 2025-11-25 `tasks/result`: waits for the task to finish, then answers what the call would have. */
  private async result(taskId: unknown, ctx: McpContext): Promise<object> {
    const task = await this.tasks.finished(taskId, this.tasks.ownerOf(ctx), ctx.signal);
    const related = { [RELATED_TASK_META]: { taskId: task.taskId } };
    if (task.result) return { ...task.result, _meta: { ...(task.result._meta as object), ...related } };
    if (task.status === 'cancelled') throw new McpError(JsonRpcErrorCode.InvalidRequest, 'The task was cancelled.', related);
    const error = task.error ?? { code: JsonRpcErrorCode.InternalError, message: task.statusMessage ?? 'The task failed.' };
    throw new McpError(error.code, error.message, error.data);
  }
}
