import { configPath, loadConfig } from '../config/load.js';
import type { Labels } from '../model/event.js';
import { PREVIEW_DEFAULTS, previewReceiver } from '../receivers/preview.js';
import { parseLabelArgs, testRoute } from '../routing/test-route.js';
import { buildRouteTree } from '../routing/tree.js';
import { UsageError, type Command } from './command.js';

/** `aver-bridge preview`: what one receiver would post for an event with these labels; nothing is sent. */
export const preview: Command = {
  name: 'preview',
  summary: 'print what a receiver would post for an event with these labels, without sending it',
  usage: ['preview [--config FILE] --receiver NAME [--format json|text] label=value | label="value" …'],
  description: [
    "Prints the receiver's first message about a check, with its template applied: Slack's chat.postMessage",
    'arguments, the Teams activity, the Workflows or webhook body, the console line or the e-mail; --format text shows it',
    'roughly as the channel does. Labels are read as routes test reads them; type, status, id and groupId',
    `default to ${PREVIEW_DEFAULTS.type}, ${PREVIEW_DEFAULTS.status} and sample ids. Enrichment labels (thirdPartyIdentifier,`,
    'statusReason, warnings, watchlistHits, adverseMediaHits, checkTypes) fill the details as Aver\'s API would.',
    'Nothing is sent, and no platform or mail server is asked anything.',
  ].join('\n'),
  options: ['config', 'receiver', 'format'],
  async run({ values, args }, io) {
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'text') throw new UsageError(`--format is json or text, not ${JSON.stringify(format)}`);
    if (!values.receiver) throw new UsageError('preview needs --receiver NAME: the receiver whose message to show');
    const file = configPath(values.config);
    const config = loadConfig(file);
    const given = parseLabelArgs(args, (w) => io.err(`warning: ${w.message}: ${JSON.stringify(w.input)}${w.suggestion ? ` (write ${w.suggestion})` : ''}`));
    const labels: Labels = { ...PREVIEW_DEFAULTS, ...given };
    const routed = testRoute(buildRouteTree(config.route), config.aver.groups, labels);
    const shown = await previewReceiver(config, values.receiver, routed.labels, { now: Date.now(), routedTo: routed.receivers });
    if (!shown) {
      throw new UsageError(`${file} has no receiver named ${JSON.stringify(values.receiver)} (its receivers: ${config.receivers.map((r) => r.name).join(', ')})`);
    }
    if (shown.templateError) io.err(`warning: template of receiver ${shown.receiver} failed, so it would send the default message: ${shown.templateError}`);
    if (!routed.receivers.includes(shown.receiver)) io.err(`note: these labels do not reach ${shown.receiver} (they reach: ${routed.receivers.join(', ') || 'none'}); shown anyway`);
    if (format === 'json') {
      io.err(`${shown.receiver} (${shown.kind}): ${shown.destination}; nothing was sent`);
      io.out(JSON.stringify(shown.payload, null, 2));
    } else {
      io.out(`${shown.receiver} (${shown.kind}): ${shown.destination}; nothing was sent\n`);
      io.out(shown.text);
    }
    return 0;
  },
};
