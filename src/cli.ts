#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Io } from './cli/command.js';
import { describeError } from './cli/describe-error.js';
import { runCommandLine } from './cli/run-command-line.js';

export type { Io } from './cli/command.js';

const stdio: Io = { out: (s) => void process.stdout.write(s + '\n'), err: (s) => void process.stderr.write(s + '\n') };

/**
 * Runs one command line (see `aver-bridge help`); resolves to the exit code and never rejects: errors are
 * printed on `err` as describeError words them. Output goes through `io` so tests can read it.
 */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  try {
    return await runCommandLine(argv, io);
  } catch (err) {
    const { text, exitCode } = describeError(err);
    io.err(text);
    return exitCode;
  }
}

/** Runs the command line with this process's arguments and exits with its code (bin/aver-bridge.js, node dist/cli.js). */
export function runCli(): void {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    if (code !== 0 || process.argv[2] !== undefined) setTimeout(() => process.exit(code), 100).unref();
  });
}

// `node dist/cli.js …` (and `node --import tsx src/cli.ts …`): this module is the entry point. Compared through
// realpath, so a symlinked path runs it too; the installed `aver-bridge` command goes through bin/ and runCli().
const entry = process.argv[1] ? realpathOrSelf(process.argv[1]) : undefined;
if (entry && entry === realpathOrSelf(fileURLToPath(import.meta.url))) runCli();

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
