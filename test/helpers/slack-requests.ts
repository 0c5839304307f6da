import { createHmac } from 'node:crypto';

/**
 * Requests as Slack sends them to /slack/events, signed with Slack's v0 scheme (HMAC-SHA256 of `v0:<ts>:<body>`
 * with the signing secret): the scheme Bolt's verifySlackRequest, which the bridge runs, checks.
 */

/** The headers of a signed form post; `secret` and `ts` (seconds) can be made wrong on purpose. */
export function signedFormHeaders(body: string, secret: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature };
}

/** A slash command's form body: `/aver <text>` typed by `user` in `channel`. */
export function slashCommandBody(text: string, channel: string, user = { id: 'U0DANA', name: 'dana' }): string {
  return new URLSearchParams({
    token: 'legacy', team_id: 'T0ACME', team_domain: 'acme', channel_id: channel, channel_name: 'kyc', user_id: user.id, user_name: user.name,
    command: '/aver', text, api_app_id: 'A0AVER', is_enterprise_install: 'false', response_url: 'http://127.0.0.1:1/unused', trigger_id: '1.2.3',
  }).toString();
}

/** What a click carries: which button, on which check's message, by whom, in which channel. */
export interface ButtonClick {
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  user?: { id: string; username: string; name: string };
  /** Where Bolt's respond() posts (an ephemeral answer to the clicker). */
  responseUrl: string;
  label?: string;
}

/**
 * A `block_actions` payload as Slack posts it for a button inside a message attachment's blocks (where the bridge
 * puts its buttons), form-encoded as `payload=<JSON>`.
 */
export function blockActionsBody(click: ButtonClick): string {
  const user = click.user ?? { id: 'U0DANA', username: 'dana', name: 'dana' };
  const payload = {
    type: 'block_actions',
    user: { ...user, team_id: 'T0ACME' },
    api_app_id: 'A0AVER',
    token: 'legacy',
    container: { type: 'message_attachment', message_ts: click.messageTs, attachment_id: 1, channel_id: click.channel, is_ephemeral: false, is_app_unfurl: false },
    trigger_id: '1111.2222.abcd',
    team: { id: 'T0ACME', domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: click.channel, name: 'kyc' },
    message: { type: 'message', subtype: 'bot_message', text: '🔴 Live check rejected', ts: click.messageTs, bot_id: 'B0AVER' },
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [{
      action_id: click.actionId, block_id: 'b1', text: { type: 'plain_text', text: click.label ?? 'Acknowledge', emoji: true },
      value: click.value, type: 'button', action_ts: `${Math.floor(Date.now() / 1000)}.000200`,
    }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
