import getPort from 'get-port';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A free TCP port on the loopback interface (free when asked; bind it soon). */
export const freePort = (): Promise<number> => getPort({ host: '127.0.0.1' });

/** Runs `redis-cli` against a port and returns its output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

/** A `redis-server` process started by a test, with its data in a temporary directory. */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts `redis-server` on a free port without persistence (`--save ''`, no AOF); it still loads a
   * dump written by {@link stop}`({ save: true })` when restarted.
   */
  static async start(args: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'nest-mcp-redis-')), args);
    await server.launch();
    return server;
  }

  /** Stops the server; with `save`, it writes its data first so that a restart finds it. */
  async stop(options: { save?: boolean } = {}): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (options.save) {
      await redisCli(this.port, 'SHUTDOWN', 'SAVE').catch(() => undefined);
    } else {
      child.kill('SIGKILL');
    }
    await exited;
    this.process = undefined;
  }

  /** Starts the server again on the same port, with the data of the last `stop({ save: true })` if any. */
  async restart(options: { keepData: boolean }): Promise<void> {
    await this.stop({ save: options.keepData });
    if (!options.keepData) rmSync(join(this.dir, 'dump.rdb'), { force: true });
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  cli(...args: string[]): Promise<string> {
    return redisCli(this.port, ...args);
  }

  private async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.args],
      { stdio: 'ignore' },
    );
    this.process = child;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`redis-server could not start (is it installed?): ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
    });
    failed.catch(() => undefined);
    for (let attempt = 0; attempt < 100; attempt++) {
      const pong = await Promise.race([this.cli('PING').catch(() => ''), failed]);
      if (pong === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not answer PING`);
  }
}

/** Three `redis-server --cluster-enabled yes` masters joined with `redis-cli --cluster create`. */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  get nodes(): Array<{ host: string; port: number }> {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  static async start(size = 3): Promise<RedisCluster> {
    const servers = await Promise.all(
      Array.from({ length: size }, () => RedisServer.start(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'])),
    );
    const cluster = new RedisCluster(servers);
    try {
      await run('redis-cli', [
        '--cluster',
        'create',
        ...servers.map((server) => `127.0.0.1:${server.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      for (let attempt = 0; attempt < 200; attempt++) {
        const states = await Promise.all(servers.map((server) => server.cli('CLUSTER', 'INFO')));
        if (states.every((state) => state.includes('cluster_state:ok'))) return cluster;
        await sleep(50);
      }
      throw new Error('the Redis cluster did not reach cluster_state:ok');
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.dispose()));
  }
}

/** The Redis at `REDIS_URL` when it is set, else a `redis-server` started for the caller. */
export async function testRedisUrl(): Promise<{ url: string; dispose(): Promise<void> }> {
  const url = process.env.REDIS_URL;
  if (url) return { url, dispose: async () => undefined };
  const server = await RedisServer.start();
  return { url: server.url, dispose: () => server.dispose() };
}
