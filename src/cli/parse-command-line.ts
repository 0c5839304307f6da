import { parseArgs } from 'node:util';
import { COMMANDS, DEFAULT_COMMAND } from './commands.js';
import { OPTIONS, UsageError, type Command, type CommandInput, type OptionName } from './command.js';
import { usageOf, usageSummary } from './help.js';

/** What a command line asks for: the version, help (on one command, or all), or a command to run. */
export type CommandLine =
  | { kind: 'version' }
  | { kind: 'help'; command?: Command }
  | { kind: 'run'; command: Command; input: CommandInput };

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

const PARSE_OPTIONS = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o ? { short: o.short } : {}) }]));

/**
 * Reads the arguments: the command (serve when none is named), its options and its arguments. Anything that does
 * not parse, or that the command does not take, is a UsageError naming it, with a suggestion when one is close.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  // Not strict: parseArgs' own errors are stack-trace material (ERR_PARSE_ARGS_UNKNOWN_OPTION); these checks say more.
  const { values, positionals, tokens } = parseArgs({ args: argv, options: PARSE_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const named = positionals[0] === 'help' ? positionals.slice(1) : positionals;
  const found = findCommand(named);
  checkTokens(tokens, found?.command);
  if (values.version) return { kind: 'version' };
  if (positionals[0] === 'help' || values.help) {
    if (!found) throw unknownCommand(named);
    // `aver-bridge help` and `aver-bridge --help` name no command: the list of them all.
    return { kind: 'help', command: named.length > 0 ? found.command : undefined };
  }
  if (!found) throw unknownCommand(positionals);
  const { command, args } = found;
  for (const t of tokens) {
    if (t.kind === 'option' && t.name !== 'help' && !command.options.includes(t.name as OptionName)) {
      throw new UsageError(`${command.name} does not take ${t.rawName}`, usageOf(command));
    }
  }
  if (command.maxArgs !== undefined && args.length > command.maxArgs) {
    throw new UsageError(`${command.name} takes ${command.maxArgs === 0 ? 'no arguments' : `at most ${command.maxArgs}`}; got ${args.map((a) => JSON.stringify(a)).join(' ')}`, usageOf(command));
  }
  return { kind: 'run', command, input: { values, args } };
}

/** The command the first words name (the longest name that fits), and the arguments after it; none given is serve. */
function findCommand(words: string[]): { command: Command; args: string[] } | undefined {
  if (words.length === 0) return { command: DEFAULT_COMMAND, args: [] };
  const command = COMMANDS.find((c) => c.name.split(' ').every((w, i) => words[i] === w));
  return command && { command, args: words.slice(command.name.split(' ').length) };
}

/** Unknown options, a string option without its value, a value given to a flag. */
function checkTokens(tokens: Token[], command: Command | undefined): void {
  const usage = command ? usageOf(command) : usageSummary();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = OPTIONS[t.name as OptionName] as { type: string; value?: string } | undefined;
    if (!spec) {
      const near = t.rawName.startsWith('--') ? closest(t.name, Object.keys(OPTIONS).filter((n) => !command || command.options.includes(n as OptionName))) : undefined;
      throw new UsageError(`unknown option ${t.rawName}${near ? ` (did you mean --${near}?)` : ''}`, usage);
    }
    const name = `--${t.name}`;
    if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-') && t.value !== '-'))) {
      throw new UsageError(`${name} needs a value: ${name} ${spec.value ?? 'VALUE'}`, usage);
    }
    if (spec.type === 'boolean' && t.value !== undefined) throw new UsageError(`${name} takes no value (got ${name}=${t.value})`, usage);
  }
}

function unknownCommand(words: string[]): UsageError {
  const typed = words.join(' ');
  const names = COMMANDS.map((c) => c.name);
  const near = names.find((n) => n.startsWith(`${words[0]} `)) ?? closest(words.slice(0, 2).join(' '), names) ?? closest(words[0], names);
  return new UsageError(`unknown command "${typed}"${near ? ` (did you mean "${near}"?)` : ''}`, usageSummary());
}

/** The candidate within two edits of `word` (the nearest, the first of equals), for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(word, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (conifg → config). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
