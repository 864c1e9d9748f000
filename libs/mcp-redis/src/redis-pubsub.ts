import type { Cluster, Redis } from 'ioredis';

interface ChannelState {
  users: number;
  /** Settles once the server confirmed the subscription. */
  subscribed: Promise<void>;
}

/** One user's hold on a channel. */
export interface ChannelLease {
  /** Resolves once the subscription is active; rejects when it could not be made. */
  subscribed: Promise<void>;
  /** Gives the hold up (idempotent); the last holder unsubscribes. */
  release(): void;
}

/**
 * The node's one subscriber connection, shared by every live stream and by the node's inbox:
 * channels are subscribed while at least one user holds them, so the number of Redis connections
 * does not grow with the number of open streams.
 */
export class RedisPubSub {
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    private readonly connection: Redis | Cluster,
    private readonly sharded: boolean,
    onMessage: (channel: string, message: string) => void,
  ) {
    connection.on(sharded ? 'smessage' : 'message', onMessage);
  }

  acquire(channel: string): ChannelLease {
    let state = this.channels.get(channel);
    if (state) {
      state.users++;
    } else {
      const created: ChannelState = {
        users: 1,
        subscribed: (this.sharded ? this.connection.ssubscribe(channel) : this.connection.subscribe(channel)).then(() => undefined),
      };
      // A failed subscription is forgotten so that the next user tries again.
      created.subscribed.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
      this.channels.set(channel, created);
      state = created;
    }
    const held = state;
    let released = false;
    return {
      subscribed: held.subscribed,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users > 0 || this.channels.get(channel) !== held) return;
        this.channels.delete(channel);
        const unsubscribed = this.sharded ? this.connection.sunsubscribe(channel) : this.connection.unsubscribe(channel);
        // A connection that failed has no subscriptions left to drop.
        unsubscribed.catch(() => undefined);
      },
    };
  }

  /** Channels subscribed now (for tests and metrics). */
  get size(): number {
    return this.channels.size;
  }
}
