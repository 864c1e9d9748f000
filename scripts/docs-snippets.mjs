#!/usr/bin/env node
// Every TypeScript block of the README and the guides shows a file that the build compiles
// (docs/snippets/, the sample, the consumer apps), so a snippet that does not compile fails the
// build. A block names its file in the comment line before it, the whole file or one region of it:
//
//   <!-- snippet: docs/snippets/quick-start/app.module.ts -->
//   <!-- snippet: docs/snippets/tools/tools.ts#add -->            (between `// #region add` and `// #endregion`)
//
// `node scripts/docs-snippets.mjs` lists the blocks that differ from their file or name none
// (exit 1); `--write` rewrites the blocks from their files. test/docs.e2e-spec.ts runs the check.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MARKER = /^<!-- snippet: (\S+?)(?:#([\w-]+))? -->$/;
const FENCE = /^(\s*)```(ts|typescript)\b.*$/;
const REGION = /^\s*\/\/ #(region|endregion)\b\s*([\w-]*)/;

/** The Markdown files whose TypeScript blocks are checked. */
export function markdownFiles() {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs, 'libs/mcp/README.md', 'libs/mcp-redis/README.md', 'consumers/README.md'];
}

/** The text a marker stands for: the file without region markers, or one region, dedented. */
export function snippetText(file, region) {
  const lines = readFileSync(join(root, file), 'utf8').replace(/\n$/, '').split('\n');
  let selected = lines;
  if (region) {
    const start = lines.findIndex((line) => REGION.exec(line)?.[1] === 'region' && REGION.exec(line)?.[2] === region);
    if (start < 0) throw new Error(`${file} has no "// #region ${region}"`);
    let depth = 0;
    let end = start + 1;
    for (; end < lines.length; end++) {
      const match = REGION.exec(lines[end]);
      if (match?.[1] === 'region') depth++;
      if (match?.[1] === 'endregion' && depth-- === 0) break;
    }
    if (end === lines.length) throw new Error(`${file}: region "${region}" has no "// #endregion"`);
    selected = lines.slice(start + 1, end);
  }
  const shown = selected.filter((line) => !REGION.test(line));
  const indent = Math.min(...shown.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length));
  return shown.map((line) => line.slice(indent)).join('\n');
}

/** Each file's blocks checked (and rewritten with `write`); returns the problems found. */
export function checkSnippets({ write = false } = {}) {
  const problems = [];
  for (const file of markdownFiles()) {
    const path = join(root, file);
    const lines = readFileSync(path, 'utf8').split('\n');
    let changed = false;
    for (let at = 0; at < lines.length; at++) {
      const fence = FENCE.exec(lines[at]);
      if (!fence) continue;
      const close = lines.findIndex((line, index) => index > at && line.trim() === '```');
      const marker = MARKER.exec(lines[at - 1]?.trim() ?? '');
      if (!marker) {
        problems.push(`${file}:${at + 1}: a TypeScript block without a "<!-- snippet: file#region -->" line before it`);
      } else {
        const indent = fence[1];
        let expected;
        try {
          expected = snippetText(marker[1], marker[2])
            .split('\n')
            .map((line) => (line ? indent + line : line));
        } catch (error) {
          problems.push(`${file}:${at}: ${error.message}`);
          at = close;
          continue;
        }
        const shown = lines.slice(at + 1, close);
        if (shown.join('\n') !== expected.join('\n')) {
          if (write) {
            lines.splice(at + 1, close - at - 1, ...expected);
            changed = true;
          } else {
            problems.push(
              `${file}:${at + 1}: differs from ${marker[1]}${marker[2] ? `#${marker[2]}` : ''} (run node scripts/docs-snippets.mjs --write)`,
            );
          }
        }
      }
      at = lines.findIndex((line, index) => index > at && line.trim() === '```');
    }
    if (changed) writeFileSync(path, lines.join('\n'));
  }
  return problems;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const problems = checkSnippets({ write: process.argv.includes('--write') });
  for (const problem of problems) console.error(problem);
  process.exit(problems.length ? 1 : 0);
}
