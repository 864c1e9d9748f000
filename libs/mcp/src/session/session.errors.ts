/** Errors a {@link SessionHost} raises; the transport maps each to an HTTP answer. */

export class SessionExistsError extends Error {
  constructor(sessionId: string) {
    super(`A session with id ${sessionId} already exists.`);
    this.name = 'SessionExistsError';
  }
}

/**
 * The host (or this instance) holds as much as it may: sessions, single-use claims, open listen
 * streams. Answered with 503 and `Retry-After`.
 */
export class SessionLimitError extends Error {
  /** `limit` alone: the session count; otherwise the whole message. */
  constructor(limitOrMessage: number | string) {
    super(typeof limitOrMessage === 'number' ? `The session host is full (${limitOrMessage} sessions); try again later.` : limitOrMessage);
    this.name = 'SessionLimitError';
  }
}

/**
 * A principal already has as many sessions as `sessionsPerPrincipal.max` allows, and the module is
 * set to refuse more (`whenFull: 'refuse'`). Answered with 429 and `Retry-After`.
 */
export class SessionsPerPrincipalError extends Error {
  constructor(max: number) {
    super(`This client already has ${max} sessions, the most it may: end one (DELETE) or let one expire, then initialize again.`);
    this.name = 'SessionsPerPrincipalError';
  }
}

/** Part of the requested replay range is no longer retained. */
export class ReplayUnavailableError extends Error {
  constructor(streamId: string, afterSeq: number) {
    super(
      `Events after ${afterSeq} of stream ${streamId} are no longer retained; ` + 'reconnect without Last-Event-ID to receive new events.',
    );
    this.name = 'ReplayUnavailableError';
  }
}

/** A session value is larger than the host allows, or the session holds too many values. */
export class SessionValueLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionValueLimitError';
  }
}

/** The host cannot be reached (network, failover); answered with 503 and `Retry-After`. */
export class SessionHostUnavailableError extends Error {
  constructor(message = 'The session store is unavailable.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionHostUnavailableError';
  }
}

/** An owner has as many tasks as it may (`tasks.maxPerOwner`), or the host is full: answered with a JSON-RPC error. */
export class TaskLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskLimitError';
  }
}
