import { COMMANDS } from './commands.js';
import { OPTIONS, type Command, type OptionName } from './command.js';

const CONFIG_NOTE = 'The config file is --config, else $AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml.';

/** `aver-bridge help`: every command's synopsis and what it does. */
export function generalHelp(version: string): string {
  return [
    `aver-bridge ${version}: Aver webhooks to Slack and Microsoft Teams`,
    '',
    usageSummary(),
    '',
    'Commands:',
    ...table(COMMANDS.map((c) => [c.name, c.summary])),
    '',
    'aver-bridge help COMMAND (or COMMAND --help) shows its options; aver-bridge --version prints the version.',
    CONFIG_NOTE,
  ].join('\n');
}

/** The synopsis of every command: what an unknown command is answered with. */
export function usageSummary(): string {
  return ['Usage:', ...COMMANDS.flatMap((c) => c.usage.map((u) => `  aver-bridge ${u}`))].join('\n');
}

/** One command's synopsis: what a usage error in that command is answered with. */
export function usageOf(command: Command): string {
  return [`Usage: aver-bridge ${command.usage[0]}`, ...command.usage.slice(1).map((u) => `       aver-bridge ${u}`)].join('\n');
}

/** `aver-bridge help COMMAND`, `aver-bridge COMMAND --help`: its synopsis, what it does and its options. */
export function commandHelp(command: Command): string {
  const options: OptionName[] = [...command.options, 'help'];
  return [
    usageOf(command),
    '',
    command.description,
    '',
    'Options:',
    ...table(options.map((name) => {
      const o: { short?: string; value?: string; help: string } = OPTIONS[name];
      return [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`, o.help];
    })),
  ].join('\n');
}

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
