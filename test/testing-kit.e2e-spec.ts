import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const NODE_TESTS = fileURLToPath(new URL('./node-test/', import.meta.url));

/** `@nest-mcp/mcp/testing` needs no Jest: its contract suite also runs under node:test. */
describe('the testing kit under node:test', () => {
  it('runs the SessionHost contract suite against the memory host, every test passing', () => {
    const run = spawnSync(process.execPath, ['--test', NODE_TESTS], { encoding: 'utf8', timeout: 120_000 });
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.stdout)?.[1]);
    expect({ status: run.status, pass: count('pass') > 30, fail: count('fail') }).toEqual({ status: 0, pass: true, fail: 0 });
  }, 120_000);
});
