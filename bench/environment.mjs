// What a result was measured on: machine, Node, and the library build the sample loaded.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { root } from './servers.mjs';

const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();

export function environment() {
  // The sample imports @nest-mcp/mcp through node_modules: say which build that is (a worktree
  // sharing another checkout's node_modules would otherwise measure that checkout's library).
  const library = realpathSync(join(root, 'node_modules/@nest-mcp/mcp'));
  const changed = git('status', '--porcelain', '--', 'libs', 'apps/sample');
  return {
    date: new Date().toISOString(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommitted: changed !== '',
    library: relative(root, library) === 'libs/mcp' ? 'libs/mcp' : library,
  };
}

/** Fails early when this process may not open `count` files (each open stream is a socket). */
export function requireOpenFiles(count) {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((row) => row.startsWith('Max open files'));
  const soft = Number(line.split(/\s+/)[3]);
  if (soft < count)
    throw new Error(`this run opens about ${count} sockets per process; raise the limit first (ulimit -n ${count}, now ${soft})`);
}
