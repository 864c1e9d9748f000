// Jest global setup: the tests start their own redis-server processes, so without one on PATH they
// would each fail with `spawn redis-server ENOENT`. Stop at once with one message instead.
import { execFileSync } from 'node:child_process';

export default function requireRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'The tests start their own redis-server processes, and there is no redis-server on PATH. ' +
        'Install Redis 6.2 or later (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`), then run `npm test` again.',
    );
  }
}
