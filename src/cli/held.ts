import { configPath, loadConfig } from '../config/load.js';
import type { HeldDelivery } from '../store/timers.js';
import { openStore } from '../store/open-store.js';
import { UsageError, type Command } from './command.js';
import { formatTime } from './dead-letter-text.js';
import { displayZone, unknownReceiver } from './dead-letters.js';

/** As many as `held list` shows; the admin page shows as many. */
const LIST_LIMIT = 1000;

/** One held delivery on one line: when it goes out, receiver, check and status, the event, the route that holds it. */
function heldLine(h: HeldDelivery, timeZone?: string): string {
  return `${formatTime(h.until, timeZone)}  ${h.receiver}  ${h.entityKey} ${h.status}  event ${h.eventId}  via ${h.routePath}`;
}

/** `aver-bridge held`: the deliveries a muted time interval holds, in the store a running server uses. */
export const held: Command = {
  name: 'held',
  summary: 'list the deliveries held by a muted time interval',
  usage: ['held [list] [--receiver NAME] [--json] [--config FILE]'],
  description: [
    'Lists the deliveries that mute_time_intervals or active_time_intervals hold, the first to go out first: when it',
    'goes out (ISO 8601, in the display zone of the config), the receiver, the check and its status, the event and the',
    'route. A held delivery is never dropped: the running server sends it when the interval ends (as one digest when',
    'several wait for one receiver). Reads the store the config names.',
  ].join('\n'),
  options: ['config', 'receiver', 'json'],
  maxArgs: 1,
  async run({ values, args }, io) {
    const verb = args[0] ?? 'list';
    if (verb !== 'list') throw new UsageError(`unknown held command "${verb}": use held list`);
    const config = loadConfig(configPath(values.config));
    const store = await openStore(config.storage.url);
    try {
      const receiver = values.receiver;
      const rows = await store.listHeld(Date.now(), LIST_LIMIT, receiver);
      if (values.json) io.out(JSON.stringify(rows, null, 2));
      else if (rows.length > 0) for (const h of rows) io.out(heldLine(h, displayZone(config)));
      else io.out(receiver === undefined ? 'no held deliveries' : `no held deliveries for receiver "${receiver}"${unknownReceiver(config, receiver)}`);
      if (!values.json && rows.length === LIST_LIMIT) io.err(`(the first ${LIST_LIMIT} shown)`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
