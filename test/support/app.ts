import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';

export interface RunningApp {
  app: INestApplication;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Compiles a module, starts it on a free loopback port and returns its URL. Errors and warnings are
 * printed, unless a `logger` (a `RecordingLogger` in tests that provoke them) takes them.
 */
export async function startApp(
  metadata: ModuleMetadata,
  configure?: (app: INestApplication) => void,
  logger: LoggerService | ['error', 'warn'] = ['error', 'warn'],
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger });
  configure?.(app);
  return serve(app);
}

/** Starts an app built by the caller on a free loopback port and returns its URL. */
export async function serve(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
