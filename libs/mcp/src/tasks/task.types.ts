import type { JsonRpcErrorObject } from '../protocol/json-rpc.js';

/** The id of the 2026-07-28 tasks extension (SEP-2663), as clients and servers declare it. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** `_meta` key tying a 2025-11-25 message to its task (`basic/utilities/tasks`). */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

/**
 * Whether a tool may run as a task (MCP 2025-11-25 `execution.taskSupport`): `forbidden` (never),
 * `optional` (when the client asks, in 2025, or accepts tasks, in 2026-07-28) or `required` (only
 * as a task: a client that cannot take one is refused).
 */
export type McpTaskSupport = 'forbidden' | 'optional' | 'required';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export const isTerminal = (status: TaskStatus): boolean => status === 'completed' || status === 'failed' || status === 'cancelled';

/** A question to the client, as a 2026-07-28 task lists it in `inputRequests`. */
export interface TaskInputRequest {
  method: string;
  params: Record<string, unknown>;
}

/** What the host keeps of a task, as JSON in `StoredTask.state`. */
export interface TaskState {
  status: TaskStatus;
  statusMessage?: string;
  /** Epoch milliseconds. */
  lastUpdatedAt: number;
  ttlMs: number;
  pollIntervalMs: number;
  /** The era that created it: its wire shape and methods. */
  era: 'legacy' | 'modern';
  /** The 2025 session it belongs to. */
  sessionId?: string;
  /** The tool's result, once `completed` (and, in 2025, a tool error's, once `failed`). */
  result?: Record<string, unknown>;
  /** The JSON-RPC error, once `failed` by a protocol error or the runner's death. */
  error?: JsonRpcErrorObject;
  /** 2026-07-28: questions the task waits for, by key (status `input_required`). */
  inputRequests?: Record<string, TaskInputRequest>;
  /** 2026-07-28: answers given with `tasks/update`, not yet taken by the runner. */
  inputResponses?: Record<string, unknown>;
}

/** A task as the methods see it: id, creation time and state. */
export interface TaskView extends TaskState {
  taskId: string;
  createdAt: number;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The `Task` object as `era` names its fields (2026-07-28 renamed `ttl` and `pollInterval`, SEP-2663). */
export function wireTask(task: TaskView, era: TaskState['era']): Record<string, unknown> {
  const [ttl, pollInterval] = era === 'legacy' ? ['ttl', 'pollInterval'] : ['ttlMs', 'pollIntervalMs'];
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined && { statusMessage: task.statusMessage }),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.lastUpdatedAt),
    [ttl]: task.ttlMs,
    [pollInterval]: task.pollIntervalMs,
  };
}

/** The 2025-11-25 `Task` object. */
export const legacyTask = (task: TaskView): Record<string, unknown> => wireTask(task, 'legacy');

/** The 2026-07-28 `DetailedTask`: the task with its result, error or open questions inlined. */
export function detailedTask(task: TaskView): Record<string, unknown> {
  return {
    ...wireTask(task, 'modern'),
    ...(task.status === 'completed' && { result: task.result ?? {} }),
    ...(task.status === 'failed' && { error: task.error ?? { code: -32603, message: task.statusMessage ?? 'The task failed.' } }),
    ...(task.status === 'input_required' && { inputRequests: task.inputRequests ?? {} }),
  };
}
