#!/usr/bin/env node
// The `aver-bridge` command (npx aver-bridge, or installed): runs the compiled CLI; `npm run build` produces dist/.
import { runCli } from '../dist/cli.js';

runCli();
