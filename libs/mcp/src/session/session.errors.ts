/** Errors a {@link SessionHost} raises; the transport maps each to an HTTP answer. */

export class SessionExistsError extends Error {
  constructor(sessionId: string) {
    super(`A session with id ${sessionId} already exists.`);
    this.name = 'SessionExistsError';
  }
}

/** The host holds as many sessions as it may; answered with 503 and `Retry-After`. */
export class SessionLimitError extends Error {
  constructor(limit: number) {
    super(`The session host is full (${limit} sessions); try again later.`);
    this.name = 'SessionLimitError';
  }
}

/** Part of the requested replay range is no longer retained. */
export class ReplayUnavailableError extends Error {
  constructor(streamId: string, afterSeq: number) {
    super(
      `Events after ${afterSeq} of stream ${streamId} are no longer retained; ` +
        'reconnect without Last-Event-ID to receive new events.',
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
