import { BridgeError } from '../errors.js';
import { UsageError, type Command } from './command.js';

/** `aver-bridge send-test`: posts a sample Aver webhook to a running bridge. */
export const sendTest: Command = {
  name: 'send-test',
  summary: 'post a sample Aver webhook to a running bridge, or send a sample e-mail',
  usage: ['send-test --url URL [--header NAME] [--secret S] [label=value …]', 'send-test [--config FILE] --receiver NAME [label=value …]'],
  description: [
    'Posts a LiveCheck status message; type, id, groupId and status can be set as label=value.',
    'Prints the answer; exits 0 on a 2xx, 1 otherwise.',
    'With --receiver (an e-mail receiver), sends the sample message straight through smtp: instead, as the server',
    'would (no running bridge, nothing stored); prints its Message-ID, or why the server refused it, and exits 1 then.',
  ].join('\n'),
  options: ['url', 'header', 'secret', 'config', 'receiver'],
  async run({ values, args }, io) {
    if (values.receiver !== undefined) {
      // Loaded only here: nodemailer is needed by nothing else the command line does.
      const { sendTestEmail } = await import('./send-test-email.js');
      return sendTestEmail({ config: values.config, receiver: values.receiver }, parseLabels(args), io);
    }
    if (!values.url) throw new UsageError('send-test needs --url, e.g. --url http://localhost:8080/webhooks/aver');
    const header = values.header ?? 'authorization';
    const secret = values.secret ?? process.env.AVER_WEBHOOK_SECRET;
    const l = parseLabels(args);
    const body = { statusMessage: { type: l.get('type') ?? 'LiveCheck', id: l.get('id') ?? `test-${Date.now()}`, groupId: l.get('groupId') ?? '2d1162b5-0000-0000-0000-000000000000', status: l.get('status') ?? 'Completed' } };
    const res = await fetch(values.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { [header]: secret } : {}) }, body: JSON.stringify(body) });
    io.out(`${res.status} ${await res.text()}`);
    return res.ok ? 0 : 1;
  },
};

/** A Map: `__proto__=x` or `constructor=x` are labels like any other, never a property of an object. */
function parseLabels(args: string[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const arg of args) {
    const i = arg.indexOf('=');
    if (i <= 0) throw new BridgeError('bad_label', `expected label=value, got "${arg}"`);
    labels.set(arg.slice(0, i), arg.slice(i + 1));
  }
  return labels;
}
