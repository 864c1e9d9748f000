import type { StoredTask } from './session-host.interface.js';

/** Tasks in creation order, ties broken by id: the order of `TaskStore.listTasks` in every host (for host authors). */
export const byCreation = (a: Pick<StoredTask, 'createdAt' | 'id'>, b: Pick<StoredTask, 'createdAt' | 'id'>): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The cursor after `task`: its place in that order, so a page starts right after it even once it expired. */
export const taskCursor = (task: Pick<StoredTask, 'createdAt' | 'id'>): string => `${task.createdAt}:${task.id}`;

/** Where a cursor points: `undefined` when it is not one this module made. */
export function parseTaskCursor(cursor: string): Pick<StoredTask, 'createdAt' | 'id'> | undefined {
  const colon = cursor.indexOf(':');
  const createdAt = Number(cursor.slice(0, colon));
  return colon > 0 && Number.isSafeInteger(createdAt) ? { createdAt, id: cursor.slice(colon + 1) } : undefined;
}
