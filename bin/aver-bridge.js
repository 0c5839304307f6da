#!/usr/bin/env node
// The `aver-bridge` command (npx aver-bridge, or installed): runs the compiled CLI; `npm run build` produces dist/.
// Imported dynamically so that a missing build or dependency is one line on stderr, not a stack trace.
import('../dist/cli.js').then(
  (cli) => cli.runCli(),
  (err) => {
    const code = typeof err?.code === 'string' ? err.code : 'internal_error';
    const message = String(err?.message ?? err).split('\n')[0];
    process.stderr.write(`${code}: cannot load aver-bridge (dist/cli.js): ${message} (run npm ci, then npm run build; or reinstall aver-bridge)\n`);
    process.exitCode = 1;
  },
);
