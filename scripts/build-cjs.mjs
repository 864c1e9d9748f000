#!/usr/bin/env node
// The CommonJS build of each package, next to its ESM build: `dist/cjs`, marked CommonJS by its own
// package.json, so that Nest 11 apps (CommonJS, Jest) `require` the packages. Run by `npm run build`
// after `tsc -b` (the ESM build, whose declarations the CommonJS build of mcp-redis reads).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const lib of ['mcp', 'mcp-redis']) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `libs/${lib}/tsconfig.cjs.json`], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(`${root}/libs/${lib}/dist/cjs/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
}
