// Jest global setup: the tests need two programs that npm does not install. Without them they would
// each fail on their own (`spawn redis-server ENOENT`, no browser); stop at once with one message.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function requireTestPrograms() {
  const missing = [];
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    missing.push(
      'redis-server (Redis 6.2 or later; the tests start their own instances): Debian/Ubuntu `sudo apt-get install redis-server`, macOS `brew install redis`',
    );
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    missing.push(
      `Chromium at ${chromium} (the browser test; set CHROMIUM_PATH to use another): Debian/Ubuntu \`sudo apt-get install chromium\``,
    );
  }
  if (missing.length > 0)
    throw new Error(`The tests need programs npm does not install:\n- ${missing.join('\n- ')}\nInstall them, then run \`npm test\` again.`);
}
