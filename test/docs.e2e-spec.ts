import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { AppInstance } from './support/app-instances.js';

const run = promisify(execFile);
const root = new URL('../', import.meta.url);

/** Runs a compiled snippet of docs/snippets as users run it, its `127.0.0.1:3000` pointed at `port`. */
async function runSnippet(path: string, port: number): Promise<string> {
  const code = await readFile(new URL(`docs/snippets/dist/${path}`, root), 'utf8');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)], {
    cwd: root,
    timeout: 20_000,
  });
  return stdout;
}

describe('README and docs', () => {
  it('show in every TypeScript block the file the build compiles (node scripts/docs-snippets.mjs)', async () => {
    const checked = await run(process.execPath, ['scripts/docs-snippets.mjs'], { cwd: root }).catch((error: { stderr: string }) => error);
    expect(checked.stderr).toBe('');
  });

  describe('the quick start, called by the "Connect a client" snippets', () => {
    let app: AppInstance;

    beforeAll(async () => {
      app = await AppInstance.startQuickStart();
    });

    afterAll(async () => {
      await app?.stop();
    });

    it('answers the SDK v2 client in 2026-07-28', async () => {
      const output = await runSnippet('connect-client/sdk-v2.js', app.port);
      expect(output).toMatch(/^2026-07-28\n/);
      expect(output).toContain('structuredContent: { sum: 42 }');
    });

    it('answers the SDK v1 client in a 2025-11-25 session', async () => {
      const output = await runSnippet('connect-client/sdk-v1.js', app.port);
      expect(output).toMatch(/^\{ name: 'my-server', version: '1\.0\.0' \}\n/);
      expect(output).toContain("name: 'add'");
      expect(output).toContain('structuredContent: { sum: 42 }');
    });
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('links between the README and docs', () => {
  it('lead to files and headings that exist', async () => {
    const files = [
      'README.md',
      ...(await readdir(new URL('docs/', root))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
    ];
    const broken: string[] = [];
    for (const file of files) {
      const text = await readFile(new URL(file, root), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const targetFile = path ? posix.join(posix.dirname(file), path) : file;
        const targetText = await readFile(new URL(targetFile, root), 'utf8').catch(() => undefined);
        if (targetText === undefined) broken.push(`${file}: ${target} (no such file)`);
        else if (anchor && !targetText.split('\n').some((line) => /^#+ /.test(line) && anchorOf(line.replace(/^#+ /, '')) === anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
