import { setTimeout as sleep } from 'node:timers/promises';

/** Runs `check` until it passes or `timeoutMs` elapsed (then its last error is thrown). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await sleep(25);
    }
  }
}
