import {
  MemorySessionHost,
  type HostConnection,
  SessionHostUnavailableError,
  type NodeMessage,
  type NodeMessageHandler,
  type SessionEvent,
  type SessionHost,
  type SessionMetadata,
  type StoredTask,
  type StreamInfo,
  type StreamOwner,
} from '@nest-mcp/mcp';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

/**
 * A memory host whose store can be switched off, as a Redis failover would: every operation then
 * fails with `SessionHostUnavailableError`. The data survives, as it does in a Redis that restarts
 * with persistence.
 */
export class SwitchableSessionHost implements SessionHost {
  private readonly store = new MemorySessionHost();
  private up = true;
  private epoch = 0;

  /** Switching it off is a lost connection, as with Redis: nodes drop their cached sessions. */
  get available(): boolean {
    return this.up;
  }
  set available(up: boolean) {
    if (this.up && !up) this.epoch++;
    this.up = up;
  }

  /** Like a Redis host, shared by nodes (several apps in the tests). */
  get connection(): HostConnection {
    return { connected: this.up, epoch: this.epoch };
  }

  private guard<T>(operation: () => Promise<T>): Promise<T> {
    return this.available ? operation() : Promise.reject(new SessionHostUnavailableError('Redis is down (test)'));
  }

  createSession(metadata: SessionMetadata) {
    return this.guard(() => this.store.createSession(metadata));
  }
  getSession(sessionId: string) {
    return this.guard(() => this.store.getSession(sessionId));
  }
  mutateSession(sessionId: string, update: (current: SessionMetadata) => SessionMetadata) {
    return this.guard(() => this.store.mutateSession(sessionId, update));
  }
  touchSession(sessionId: string) {
    return this.guard(() => this.store.touchSession(sessionId));
  }
  deleteSession(sessionId: string) {
    return this.guard(() => this.store.deleteSession(sessionId));
  }
  sessionsOf(principal: string) {
    return this.guard(() => this.store.sessionsOf(principal));
  }
  appendEvent(sessionId: string, streamId: string, payload: string, final?: boolean, owner?: StreamOwner) {
    return this.guard(() => this.store.appendEvent(sessionId, streamId, payload, final, owner));
  }
  streamInfo(sessionId: string, streamId: string): Promise<StreamInfo | undefined> {
    return this.guard(() => this.store.streamInfo(sessionId, streamId));
  }
  streamEvents(sessionId: string, streamId: string, afterSeq: number): Observable<SessionEvent> {
    return this.available
      ? this.store.streamEvents(sessionId, streamId, afterSeq)
      : throwError(() => new SessionHostUnavailableError('Redis is down (test)'));
  }
  publish(nodeId: string, message: NodeMessage) {
    return this.guard(() => this.store.publish(nodeId, message));
  }
  broadcast(message: NodeMessage) {
    return this.guard(() => this.store.broadcast(message));
  }
  subscribe(nodeId: string, handler: NodeMessageHandler) {
    return this.store.subscribe(nodeId, handler);
  }
  putValue(sessionId: string, key: string, value: string) {
    return this.guard(() => this.store.putValue(sessionId, key, value));
  }
  getValue(sessionId: string, key: string) {
    return this.guard(() => this.store.getValue(sessionId, key));
  }
  deleteValue(sessionId: string, key: string) {
    return this.guard(() => this.store.deleteValue(sessionId, key));
  }
  holdListening(nodeId: string, sessionIds: readonly string[]) {
    return this.guard(() => this.store.holdListening(nodeId, sessionIds));
  }
  releaseListening(nodeId: string, sessionIds: readonly string[], lingerMs: number) {
    return this.guard(() => this.store.releaseListening(nodeId, sessionIds, lingerMs));
  }
  listeningSessions(lingerMs: number) {
    return this.guard(() => this.store.listeningSessions(lingerMs));
  }
  renewLease(nodeId: string, ttlMs: number) {
    return this.guard(() => this.store.renewLease(nodeId, ttlMs));
  }
  dropLease(nodeId: string) {
    return this.guard(() => this.store.dropLease(nodeId));
  }
  hasLease(nodeId: string) {
    return this.guard(() => this.store.hasLease(nodeId));
  }
  finishOrphanedStreams() {
    return this.guard(() => this.store.finishOrphanedStreams());
  }
  claimOnce(key: string, ttlMs: number) {
    return this.guard(() => this.store.claimOnce(key, ttlMs));
  }
  createTask(task: StoredTask, maxPerOwner: number) {
    return this.guard(() => this.store.createTask(task, maxPerOwner));
  }
  getTask(taskId: string) {
    return this.guard(() => this.store.getTask(taskId));
  }
  updateTask(taskId: string, update: (current: StoredTask) => StoredTask) {
    return this.guard(() => this.store.updateTask(taskId, update));
  }
  listTasks(owner: string, page: { after?: string; limit: number }) {
    return this.guard(() => this.store.listTasks(owner, page));
  }
  orphanedTasks() {
    return this.guard(() => this.store.orphanedTasks());
  }
  close() {
    return this.store.close();
  }
}
