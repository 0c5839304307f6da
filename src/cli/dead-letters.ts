import { configPath, loadConfig } from '../config/load.js';
import { parseDuration } from '../config/duration.js';
import type { Config } from '../model/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { UsageError, type Command, type CommandInput, type Io } from './command.js';
import { deadLetterLine, deadLetterText } from './dead-letter-text.js';

/** As many as `list` shows; the admin page and --json read the same. */
const LIST_LIMIT = 1000;

/** `aver-bridge dead-letters`: lists, shows, retries and purges dead letters in the store a running server uses. */
export const deadLetters: Command = {
  name: 'dead-letters',
  summary: 'list, show, retry or purge dead letters',
  usage: [
    'dead-letters [list] [--receiver NAME] [--json] [--config FILE]',
    'dead-letters show ID [--json] [--config FILE]',
    'dead-letters retry ID | retry --all [--receiver NAME] [--config FILE]',
    'dead-letters purge --older-than AGE [--config FILE]',
  ],
  description: 'Works on the store the config names, which a running server may be using: retried jobs are delivered\nby the running server without a restart. Times are ISO 8601, in the display zone of the config (UTC unless set).',
  options: ['config', 'receiver', 'all', 'older-than', 'json'],
  maxArgs: 2,
  async run(input, io) {
    const verb = input.args[0] ?? 'list';
    checkOptions(verb, input);
    const config = loadConfig(configPath(input.values.config));
    const store = await openStore(config.storage.url);
    try {
      return await VERBS[verb](store, { ...input, config }, io);
    } finally {
      await store.close();
    }
  },
};

type Verb = (store: Store, input: CommandInput & { config: Config }, io: Io) => Promise<number>;

const VERBS: Record<string, Verb> = {
  async list(store, { values, config }, io) {
    const receiver = values.receiver;
    const jobs = await store.listJobs({ state: 'dead', receiver, limit: LIST_LIMIT });
    if (values.json) io.out(JSON.stringify(jobs, null, 2));
    else if (jobs.length > 0) for (const j of jobs) io.out(deadLetterLine(j, displayZone(config)));
    else io.out(receiver === undefined ? 'no dead letters' : `no dead letters for receiver "${receiver}"${unknownReceiver(config, receiver)}`);
    if (!values.json && jobs.length === LIST_LIMIT) io.err(`(the ${LIST_LIMIT} most recent shown)`);
    return 0;
  },
  async show(store, { values, args, config }, io) {
    const id = jobId(args[1]);
    const job = await store.getJob(id);
    if (!job || job.state !== 'dead') {
      io.err(`no dead letter #${id} (see "aver-bridge dead-letters list")`);
      return 1;
    }
    if (values.json) io.out(JSON.stringify(job, null, 2));
    else for (const line of deadLetterText(job, displayZone(config))) io.out(line);
    return 0;
  },
  async retry(store, { values, args, config }, io) {
    const now = Date.now();
    if (values.all) {
      const n = await store.retryAllDeadLetters(now, values.receiver);
      io.out(`${n} dead letter(s) queued again${values.receiver === undefined ? '' : ` for receiver "${values.receiver}"${n === 0 ? unknownReceiver(config, values.receiver) : ''}`}`);
      return 0;
    }
    const id = jobId(args[1]);
    if (!(await store.retryDeadLetter(id, now))) {
      io.err(`no dead letter #${id} (see "aver-bridge dead-letters list")`);
      return 1;
    }
    io.out(`dead letter #${id} queued again`);
    return 0;
  },
  async purge(store, { values }, io) {
    const olderThan = parseDuration(values['older-than']!);
    io.out(`${await store.purgeDeadLetters(Date.now() - olderThan)} dead letter(s) purged`);
    return 0;
  },
};

/** Which verb takes which option and argument; a mismatch is a usage error before the store is opened. */
function checkOptions(verb: string, { values, args }: CommandInput): void {
  if (!Object.hasOwn(VERBS, verb)) throw new UsageError(`unknown dead-letters command "${verb}": use list, show ID, retry ID, retry --all or purge --older-than AGE`);
  const takesId = verb === 'show' || (verb === 'retry' && !values.all);
  if (takesId && args[1] === undefined) throw new UsageError(`dead-letters ${verb} needs the dead letter's ID${verb === 'retry' ? ' (or --all)' : ''}, e.g. dead-letters ${verb} 42`);
  if (!takesId && args[1] !== undefined) throw new UsageError(`dead-letters ${verb}${values.all ? ' --all' : ''} takes no ID (got "${args[1]}")`);
  if (values.receiver !== undefined && !(verb === 'list' || (verb === 'retry' && values.all))) {
    throw new UsageError('--receiver goes with dead-letters list and dead-letters retry --all');
  }
  if (values.all && verb !== 'retry') throw new UsageError('--all goes with dead-letters retry');
  if (values.json && verb !== 'list' && verb !== 'show') throw new UsageError('--json goes with dead-letters list and dead-letters show');
  if ((values['older-than'] === undefined) === (verb === 'purge')) {
    throw new UsageError(verb === 'purge' ? 'dead-letters purge needs --older-than, e.g. --older-than 7d' : '--older-than goes with dead-letters purge');
  }
  if (verb === 'purge') {
    try {
      parseDuration(values['older-than']!);
    } catch (err) {
      throw new UsageError(`--older-than: ${(err as Error).message}`);
    }
  }
}

function jobId(arg: string | undefined): number {
  const id = Number(arg);
  if (!/^\d+$/.test(arg ?? '') || !Number.isSafeInteger(id)) throw new UsageError(`a dead letter's ID is a number, as "dead-letters list" shows it (#42 is 42); got "${arg}"`);
  return id;
}

/** The zone times are shown in: the config's display zone (UTC unless set). */
export function displayZone(config: Config): string {
  // Optional: a config built before display existed (a test's, an older one in memory) has none.
  return config.display?.timeZone ?? 'UTC';
}

/** A note when --receiver names no receiver of the config (dead letters of a removed one are still listed). */
export function unknownReceiver(config: Config, name: string): string {
  if (config.receivers.some((r) => r.name === name)) return '';
  return ` (${config.source.file} has no receiver "${name}"; its receivers: ${config.receivers.map((r) => r.name).join(', ')})`;
}
