import { wireTask, type TaskView } from './task.types.js';

/**
 * Marks the `CreateTaskResult` of a 2026-07-28 call, so that the protocol layer answers it with
 * `resultType: "task"` (every other result is `complete`); a tool's own result cannot carry it.
 */
export const CREATED_TASK = Symbol('nest-mcp created task');

/** The answer to a call that became a task: nested in 2025-11-25, flat with `resultType: "task"` in 2026-07-28. */
export function createTaskResult(task: TaskView): object {
  return task.era === 'legacy' ? { task: wireTask(task, 'legacy') } : { ...wireTask(task, 'modern'), [CREATED_TASK]: true };
}
