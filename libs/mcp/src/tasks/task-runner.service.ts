import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Subscription } from 'rxjs';
import { principalKey } from '../auth/mcp-principal.js';
import { ClientRequests } from '../dispatch/client-requests.service.js';
import type { ClientInput, McpContext, McpContextInit, RequestChannel } from '../dispatch/mcp-context.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { JsonRpcErrorCode, type JsonRpcErrorObject } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import { RequestCancellation } from '../protocol/request-cancellation.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import { NodeBus } from '../session/node-bus.service.js';
import { SessionHost, type StoredTask } from '../session/session-host.interface.js';
import { TaskLimitError } from '../session/session.errors.js';
import { TaskInput } from './task-input.js';
import { RELATED_TASK_META, isTerminal, legacyTask, type TaskState, type TaskStatus, type TaskView } from './task.types.js';

/** How a task's work ended: the tool's result, or a JSON-RPC error. */
export type TaskOutcome = { result: Record<string, unknown> } | { error: JsonRpcErrorObject };

/** What a request's context changes for when its work becomes a task (`McpContext.detached`). */
export type TaskContextParts = Pick<McpContextInit, 'cancellation' | 'channel' | 'input'>;

/** A stored task, and what the context of its work changes for (see `TaskRunner.create`). */
export interface CreatedTask {
  task: TaskView;
  parts: TaskContextParts;
}

/** A task running on this node. */
interface RunningTask {
  cancellation: RequestCancellation;
  done: Promise<void>;
  /** The 2025 session it belongs to: the task ends with it. */
  sessionId?: string;
}

const taskNotFound = (taskId: string) =>
  McpError.invalidParams(`Task not found: ${JSON.stringify(taskId)} (unknown, expired, or not yours).`);

/**
 * Tasks (MCP 2025-11-25 experimental tasks, and the 2026-07-28 `io.modelcontextprotocol/tasks`
 * extension): a tool call that answers at once with a task handle and runs on in the background.
 * The state lives in the session host, so any instance answers `tasks/*` for a task running on any
 * other; every change is broadcast (`task-changed`), which wakes whoever waits for the task —
 * `tasks/result`, a runner waiting for the client's input, the runner of a cancelled task — without
 * polling the host. The runner keeps its node's lease; when it lapses (the instance died), any
 * instance's sweep fails the task (docs/architecture.md, "Tasks").
 */
@Injectable()
export class TaskRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('McpTasks');
  private readonly running = new Map<string, RunningTask>();
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly subscription = new Subscription();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly bus: NodeBus,
    private readonly events: McpSessionEvents,
    private readonly clientRequests: ClientRequests,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    this.subscription.add(this.bus.on('task-changed').subscribe(({ taskId, status }) => this.changed(taskId, status)));
    this.subscription.add(this.bus.on('session-deleted').subscribe(({ sessionId }) => void this.endTasksOf(sessionId)));
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.orphanSweepIntervalMs);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
    this.subscription.unsubscribe();
  }

  /** Tasks running on this node. */
  get size(): number {
    return this.running.size;
  }

  /** Who may see tasks created by `ctx`'s caller: the principal, and in 2025 its session. */
  ownerOf(ctx: McpContext): string {
    const principal = principalKey(ctx.auth);
    return ctx.sessionId === undefined ? principal : `${principal}\u0000${ctx.sessionId}`;
  }

  /**
   * Creates a task for `ctx`'s request. Resolves once the task is stored, so an immediate
   * `tasks/get` on any instance finds it, with what the work's context needs to become the task's:
   * a cancellation of its own, and questions to the client going through the session (2025) or
   * the task's `inputRequests` (2026-07-28). Then {@link run} runs the work.
   */
  async create(ctx: McpContext, requestedTtlMs: unknown): Promise<CreatedTask> {
    const tasks = this.options.tasks;
    const ttlMs =
      typeof requestedTtlMs === 'number' && requestedTtlMs > 0 ? Math.min(Math.floor(requestedTtlMs), tasks.maxTtlMs) : tasks.defaultTtlMs;
    const now = Date.now();
    const state: TaskState = {
      status: 'working',
      lastUpdatedAt: now,
      ttlMs,
      pollIntervalMs: tasks.pollIntervalMs,
      era: ctx.protocolEra,
      ...(ctx.sessionId !== undefined && { sessionId: ctx.sessionId }),
    };
    const stored: StoredTask = {
      id: randomBytes(18).toString('base64url'),
      owner: this.ownerOf(ctx),
      createdAt: now,
      expiresAt: now + ttlMs,
      runner: this.bus.nodeId,
      state: JSON.stringify(state),
    };
    try {
      await this.host.createTask(stored, tasks.maxPerOwner);
    } catch (error) {
      if (error instanceof TaskLimitError) throw new McpError(JsonRpcErrorCode.InvalidRequest, error.message);
      throw error;
    }
    const parts = {
      cancellation: new RequestCancellation(),
      channel: this.channelOf(stored.id, state),
      input: this.inputOf(stored.id, state),
    };
    return { task: { taskId: stored.id, createdAt: now, ...state }, parts };
  }

  /** Runs a created task's work here and stores how it ends (unless it was cancelled first). */
  run(task: TaskView, cancellation: RequestCancellation, work: Promise<TaskOutcome>): void {
    const done = this.settleWith(task.taskId, cancellation, work).finally(() => this.running.delete(task.taskId));
    this.running.set(task.taskId, { cancellation, done, ...(task.sessionId !== undefined && { sessionId: task.sessionId }) });
  }

  /** The caller's task; -32602 when it is unknown, expired or someone else's (indistinguishable). */
  async get(taskId: unknown, owner: string): Promise<TaskView> {
    if (typeof taskId !== 'string') throw McpError.invalidParams('taskId must be a string.');
    const stored = await this.host.getTask(taskId);
    if (!stored || stored.owner !== owner) throw taskNotFound(taskId);
    return viewOf(stored);
  }

  /** One page of the caller's tasks. */
  async list(owner: string, cursor: unknown): Promise<{ tasks: TaskView[]; nextCursor?: string }> {
    if (cursor !== undefined && typeof cursor !== 'string') throw McpError.invalidParams('cursor must be a string.');
    const page = await this.host.listTasks(owner, { after: cursor, limit: this.options.pageSize });
    return { tasks: page.tasks.map(viewOf), ...(page.next !== undefined && { nextCursor: page.next }) };
  }

  /**
   * Cancels the caller's task: it becomes `cancelled` at once, on every instance, and the
   * instance running it aborts its work. Resolves to the task as it is now; for a task already
   * finished, unchanged.
   */
  async cancel(taskId: unknown, owner: string): Promise<TaskView> {
    const { taskId: id } = await this.get(taskId, owner);
    const stored = await this.update(id, (state) =>
      isTerminal(state.status) ? undefined : { ...state, status: 'cancelled', statusMessage: 'Cancelled by the client.' },
    );
    if (!stored) throw taskNotFound(id);
    return viewOf(stored);
  }

  /**
   * Takes the client's answers to a 2026-07-28 task's open questions (`tasks/update`). Answers to
   * keys the task does not wait for are ignored (SEP-2663); an answered key leaves `inputRequests`
   * at once, and the task is `working` again once none is left.
   */
  async answer(
    taskId: unknown,
    owner: string,
    responses: Record<string, unknown>,
    check: (method: string, answer: unknown) => void,
  ): Promise<void> {
    const { taskId: id } = await this.get(taskId, owner);
    await this.update(id, (state) => {
      const open = state.inputRequests ?? {};
      const answered = Object.keys(responses).filter((key) => key in open);
      if (isTerminal(state.status) || answered.length === 0) return undefined;
      for (const key of answered) check(open[key].method, responses[key]);
      const inputRequests = Object.fromEntries(Object.entries(open).filter(([key]) => !answered.includes(key)));
      const inputResponses = { ...state.inputResponses, ...Object.fromEntries(answered.map((key) => [key, responses[key]])) };
      const waiting = Object.keys(inputRequests).length > 0;
      return { ...state, status: waiting ? 'input_required' : 'working', inputRequests, inputResponses };
    });
  }

  /** Resolves to the task once it finished (2025 `tasks/result`); woken by its changes, never polling. */
  async finished(taskId: unknown, owner: string, signal: AbortSignal): Promise<TaskView> {
    for (;;) {
      const woken = this.nextChange(typeof taskId === 'string' ? taskId : '', signal);
      const task = await this.get(taskId, owner);
      if (isTerminal(task.status)) {
        woken.cancel();
        return task;
      }
      await woken.promise;
    }
  }

  /**
   * Resolves when the task changes next (a `task-changed` broadcast), or rejects when `signal`
   * aborts; `cancel` stops waiting. Arm it before reading the task, so no change falls between.
   */
  nextChange(taskId: string, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
    let wake!: () => void;
    let fail!: (reason: unknown) => void;
    const promise = new Promise<void>((resolve, reject) => {
      wake = resolve;
      fail = reject;
    });
    const onAbort = () => fail(signal!.reason);
    const cancel = () => {
      signal?.removeEventListener('abort', onAbort);
      const wakers = this.wakers.get(taskId);
      wakers?.delete(waker);
      if (wakers?.size === 0) this.wakers.delete(taskId);
    };
    const waker = () => {
      cancel();
      wake();
    };
    if (!this.wakers.has(taskId)) this.wakers.set(taskId, new Set());
    this.wakers.get(taskId)!.add(waker);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    promise.catch(() => cancel());
    return { promise, cancel };
  }

  /**
   * Changes a task's state with `change` (compare-and-set; `undefined` leaves it as it is), then
   * tells every instance. Resolves to the task as stored, or `undefined` when it is gone.
   */
  async update(taskId: string, change: (state: TaskState) => TaskState | undefined): Promise<StoredTask | undefined> {
    let changed = false;
    const stored = await this.host.updateTask(taskId, (current) => {
      const next = change(JSON.parse(current.state) as TaskState);
      changed = next !== undefined;
      if (!next) return current;
      const { runner: _runner, ...rest } = current;
      const state = JSON.stringify({ ...next, lastUpdatedAt: Date.now() });
      return isTerminal(next.status) ? { ...rest, state } : { ...current, state };
    });
    if (stored && changed) await this.announce(stored);
    return stored;
  }

  /**
   * Waits up to `graceMs` for the tasks running here, then fails the rest: this instance stops
   * (graceful shutdown). Resolves to how many it failed.
   */
  async drain(graceMs: number): Promise<number> {
    const deadline = Date.now() + graceMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const left = [...this.running.keys()];
    for (const taskId of left) {
      await this.fail(taskId, 'The instance running this task stopped before it finished; call the tool again.').catch(() => undefined);
      this.running.get(taskId)?.cancellation.abort(new Error('The instance is stopping.'));
    }
    return left.length;
  }

  private async settleWith(taskId: string, cancellation: RequestCancellation, work: Promise<TaskOutcome>): Promise<void> {
    let outcome: TaskOutcome;
    try {
      outcome = await work;
    } catch (error) {
      if (cancellation.aborted) return;
      this.logger.error(`Task ${taskId} failed`, error instanceof Error ? error.stack : String(error));
      outcome = { error: { code: JsonRpcErrorCode.InternalError, message: 'Internal error' } };
    }
    const size = Buffer.byteLength(JSON.stringify(outcome));
    if (size > this.options.tasks.maxResultBytes) {
      outcome = {
        error: {
          code: JsonRpcErrorCode.InternalError,
          message: `The task's result is ${size} bytes, more than the ${this.options.tasks.maxResultBytes} bytes a task may keep.`,
        },
      };
    }
    await this.update(taskId, (state) => (isTerminal(state.status) ? undefined : settle(state, outcome))).catch((error: unknown) =>
      this.logger.error(`Task ${taskId} finished but its result could not be stored: ${String(error)}`),
    );
  }

  private fail(taskId: string, statusMessage: string): Promise<StoredTask | undefined> {
    return this.update(taskId, (state) =>
      isTerminal(state.status)
        ? undefined
        : {
            ...state,
            status: 'failed',
            statusMessage,
            error: { code: JsonRpcErrorCode.InternalError, message: statusMessage, data: { retryable: true } },
          },
    );
  }

  /**
   * A 2025 session ended (deleted, revoked, expired on delete): its tasks running here are
   * cancelled, since nobody can reach them any more.
   */
  private async endTasksOf(sessionId: string): Promise<void> {
    for (const [taskId, running] of this.running) {
      if (running.sessionId !== sessionId) continue;
      await this.update(taskId, (state) =>
        isTerminal(state.status) ? undefined : { ...state, status: 'cancelled', statusMessage: 'The session ended.' },
      ).catch((error: unknown) => this.logger.warn(`Cancelling task ${taskId} of an ended session failed: ${String(error)}`));
      running.cancellation.abort(new McpError(JsonRpcErrorCode.InvalidRequest, 'The session ended.'));
    }
  }

  /** Fails the tasks of instances whose lease lapsed. */
  private async sweep(): Promise<void> {
    try {
      for (const orphan of await this.host.orphanedTasks()) {
        await this.fail(orphan.id, 'The instance running this task stopped before it finished; call the tool again.');
        this.logger.log(`Task ${orphan.id} failed: the instance running it stopped.`);
      }
    } catch (error) {
      this.logger.debug(`Sweeping orphaned tasks failed: ${String(error)}`);
    }
  }

  private async announce(stored: StoredTask): Promise<void> {
    const task = viewOf(stored);
    await this.bus.broadcast({ type: 'task-changed', taskId: stored.id, status: task.status });
    // 2025-11-25: the status on the session's GET stream (optional for the requestor to rely on).
    if (task.era === 'legacy' && task.sessionId !== undefined) {
      await this.events
        .sendStandalone(task.sessionId, { method: 'notifications/tasks/status', params: legacyTask(task) })
        .catch(() => undefined);
    }
  }

  /** A change anywhere: wake who waits for the task here, and abort its work when it was cancelled. */
  private changed(taskId: string, status: TaskStatus): void {
    for (const wake of [...(this.wakers.get(taskId) ?? [])]) wake();
    if (status === 'cancelled')
      this.running.get(taskId)?.cancellation.abort(new McpError(JsonRpcErrorCode.InvalidRequest, 'The task was cancelled.'));
  }

  /** Where a task's own notifications go: the session's GET stream (2025); nowhere in 2026-07-28. */
  private channelOf(taskId: string, state: TaskState): RequestChannel {
    const sessionId = state.sessionId;
    if (state.era === 'modern' || sessionId === undefined) return { send: async () => undefined };
    return {
      send: async (message) => {
        const params = message.params ?? {};
        const meta = { ...(params._meta as object), [RELATED_TASK_META]: { taskId } };
        await this.events.sendStandalone(sessionId, { ...message, params: { ...params, _meta: meta } });
      },
    };
  }

  /** How a task asks the client: on the session, marked `input_required` meanwhile (2025); through `tasks/update` (2026-07-28). */
  private inputOf(taskId: string, state: TaskState): ClientInput {
    if (state.era === 'modern' || state.sessionId === undefined) return new TaskInput(taskId, this);
    const sessionId = state.sessionId;
    const channel = this.channelOf(taskId, state);
    return {
      ask: async (requests, options) => {
        await this.update(taskId, (current) => (current.status === 'working' ? { ...current, status: 'input_required' } : undefined));
        try {
          return await Promise.all(
            requests.map(({ method, params }) => this.clientRequests.request(sessionId, channel, method, params, options)),
          );
        } finally {
          await this.update(taskId, (current) => (current.status === 'input_required' ? { ...current, status: 'working' } : undefined));
        }
      },
    };
  }
}

function viewOf(stored: StoredTask): TaskView {
  return { taskId: stored.id, createdAt: stored.createdAt, ...(JSON.parse(stored.state) as TaskState) };
}

/** The terminal state for an outcome. A tool error is `failed` in 2025-11-25 and `completed` in 2026-07-28 (SEP-2663). */
function settle(state: TaskState, outcome: TaskOutcome): TaskState {
  const { inputRequests: _open, inputResponses: _answers, ...rest } = state;
  if ('error' in outcome) return { ...rest, status: 'failed', statusMessage: outcome.error.message, error: outcome.error };
  const status: TaskStatus = state.era === 'legacy' && outcome.result.isError === true ? 'failed' : 'completed';
  return { ...rest, status, result: outcome.result };
}
