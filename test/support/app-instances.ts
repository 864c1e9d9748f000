import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, RedisServer } from './redis-server.js';

/** An app the tests run as OS processes, built by `npm run build`, and what it prints once listening. */
interface AppProgram {
  main: string;
  ready: string;
}

/** The multi-instance test app (test/multi-instance). */
const MULTI_INSTANCE: AppProgram = { main: fileURLToPath(new URL('../multi-instance/dist/main.js', import.meta.url)), ready: 'ready\n' };
/** The sample app (apps/sample), as users run it. */
const SAMPLE: AppProgram = {
  main: fileURLToPath(new URL('../../apps/sample/dist/main.js', import.meta.url)),
  ready: 'MCP endpoint ready at',
};
/** The README's quick start (docs/snippets/quick-start). */
const QUICK_START: AppProgram = {
  main: fileURLToPath(new URL('../../docs/snippets/dist/quick-start/main.js', import.meta.url)),
  ready: 'Nest application successfully started',
};

/** One process of the multi-instance test app (or of the sample) on its own port. */
export class AppInstance {
  private process: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly program: AppProgram,
  ) {}

  /** Starts `node test/multi-instance/dist/main.js` on a free port with `env` (REDIS_URL, ...). */
  static start(env: Record<string, string>, port?: number): Promise<AppInstance> {
    return AppInstance.launchNew(MULTI_INSTANCE, env, port);
  }

  /** Starts the sample (`node apps/sample/dist/main.js`) on a free port with `env`. */
  static startSample(env: Record<string, string>): Promise<AppInstance> {
    return AppInstance.launchNew(SAMPLE, env);
  }

  /** Starts the README's quick start (`node docs/snippets/dist/quick-start/main.js`) on a free port. */
  static startQuickStart(): Promise<AppInstance> {
    return AppInstance.launchNew(QUICK_START, {});
  }

  private static async launchNew(program: AppProgram, env: Record<string, string>, port?: number): Promise<AppInstance> {
    if (!existsSync(program.main)) throw new Error(`${program.main} is missing: run "npm run build" first.`);
    const instance = new AppInstance(port ?? (await freePort()), env, program);
    await instance.launch();
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  get alive(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number {
    return this.process!.pid!;
  }

  /** What the process wrote to stdout and stderr, for failure messages. */
  get logs(): string {
    return this.output;
  }

  /** Resident memory of the process in KiB (Linux). */
  rssKiB(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return Number(match?.[1]);
  }

  /** What the instance's tools did (`GET /instance`). */
  async state(): Promise<{ port: number; started: string[]; aborted: string[] }> {
    const response = await fetch(`http://127.0.0.1:${this.port}/instance`);
    return (await response.json()) as { port: number; started: string[]; aborted: string[] };
  }

  /** `kill -9`: the process gets no chance to close anything. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Starts a new process on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || !this.alive) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private launch(): Promise<void> {
    const child = spawn(process.execPath, [this.program.main], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    // Only this launch's output counts: an earlier one already said "ready".
    const from = this.output.length;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance on ${this.port} did not start:\n${this.output}`)), 20_000);
      child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.indexOf(this.program.ready, from) >= 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`instance on ${this.port} exited (${code ?? signal}):\n${this.output}`));
      });
    });
  }
}

/** One HTTP request as the router sent it. */
export interface RoutedRequest {
  httpMethod: string;
  /** JSON-RPC method of a request or notification, `response` for a client's answer. */
  rpc?: string;
  /** Tool name of a `tools/call`. */
  tool?: string;
  lastEventId?: string;
  port: number;
  status?: number;
}

/**
 * A `fetch` for the SDK client that sends each request to one of several instances: by default the
 * next live one in turn, so consecutive requests of one session land on different processes; a
 * test can pin requests to instances with {@link route}.
 */
export class InstanceRouter {
  readonly log: RoutedRequest[] = [];
  /** Chooses the instance for a request (index into the instances), or `undefined` for round robin. */
  route: (request: RoutedRequest) => number | undefined = () => undefined;
  /**
   * Like a load balancer with health checks (`proxy_next_upstream` in nginx): a request refused
   * with 503 or a refused connection is sent to the next live instance instead.
   */
  failover = false;
  private turn = 0;

  constructor(private readonly instances: AppInstance[]) {}

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const entry: RoutedRequest = { httpMethod: init?.method ?? 'GET', port: 0, ...describeBody(init?.body) };
    const lastEventId = headers.get('last-event-id');
    if (lastEventId) entry.lastEventId = lastEventId;
    const pinned = this.route(entry);
    let target = pinned !== undefined && this.instances[pinned].alive ? this.instances[pinned] : this.nextAlive();
    for (let attempt = 1; ; attempt++) {
      const sent = { ...entry, port: target.port };
      url.port = String(target.port);
      this.log.push(sent);
      const last = !this.failover || attempt >= this.instances.length * 2;
      try {
        const response = await fetch(url, init);
        sent.status = response.status;
        if (response.status !== 503 || last) return response;
        await response.body?.cancel();
      } catch (error) {
        if (last || init?.signal?.aborted) throw error;
      }
      target = this.nextAlive();
    }
  };

  private nextAlive(): AppInstance {
    for (let tries = 0; tries < this.instances.length; tries++) {
      const instance = this.instances[this.turn++ % this.instances.length];
      if (instance.alive) return instance;
    }
    throw new Error('no instance is alive');
  }
}

function describeBody(body: unknown): Pick<RoutedRequest, 'rpc' | 'tool'> {
  if (typeof body !== 'string') return {};
  const message = JSON.parse(body) as { method?: string; params?: { name?: string } };
  if (!message.method) return { rpc: 'response' };
  return { rpc: message.method, ...(message.method === 'tools/call' && { tool: message.params?.name }) };
}

/** A fresh redis-server and `count` processes started by `start` on it; `stop()` ends them all. */
export async function startOnRedis(
  count: number,
  start: (env: Record<string, string>) => Promise<AppInstance>,
  env: Record<string, string> = {},
): Promise<{ redis: RedisServer; instances: AppInstance[]; stop(): Promise<void> }> {
  const redis = await RedisServer.start();
  const instances = await Promise.all(Array.from({ length: count }, () => start({ REDIS_URL: redis.url, ...env })));
  return {
    redis,
    instances,
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await redis.dispose();
    },
  };
}
