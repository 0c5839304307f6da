import { packageVersion } from '../version.js';
import { UsageError, type Io } from './command.js';
import { commandHelp, generalHelp, usageOf } from './help.js';
import { parseCommandLine } from './parse-command-line.js';

/** Parses the arguments and runs what they ask for; resolves to the exit code, throws what a command throws. */
export async function runCommandLine(argv: string[], io: Io): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.kind === 'version') {
    io.out(packageVersion());
    return 0;
  }
  if (line.kind === 'help') {
    io.out(line.command ? commandHelp(line.command) : generalHelp(packageVersion()));
    return 0;
  }
  try {
    return await line.command.run(line.input, io);
  } catch (err) {
    // A command's own usage errors (send-test without --url) are shown with that command's synopsis.
    if (err instanceof UsageError && err.usage === undefined) throw new UsageError(err.message, usageOf(line.command));
    throw err;
  }
}
