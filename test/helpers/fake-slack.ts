import { startFakeHttp } from './fake-http.js';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  token: string | undefined;
}

/**
 * A stand-in for Slack's Web API on 127.0.0.1: answers chat.postMessage,
 * chat.update, auth.test and conversations.list the way Slack does, and
 * records every call. `respond` can override an answer per call.
 */
export async function startFakeSlack(respond?: (call: SlackCall) => { status?: number; headers?: Record<string, string>; body: unknown } | undefined) {
  const calls: SlackCall[] = [];
  let ts = 1700000000;
  const fake = await startFakeHttp((req) => {
    const method = req.path.replace(/^\/api\//, '').split('?')[0];
    let body: Record<string, unknown>;
    if ((req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(req.raw || '{}');
    else body = Object.fromEntries(new URLSearchParams(req.raw));
    for (const k of ['attachments', 'blocks']) if (typeof body[k] === 'string') body[k] = JSON.parse(body[k]);
    const call: SlackCall = { method, body, at: req.at, token: req.headers.authorization };
    calls.push(call);
    const custom = respond?.(call);
    if (custom) return { status: custom.status ?? 200, headers: custom.headers ?? {}, body: custom.body };
    if (method === 'chat.postMessage') return { body: { ok: true, channel: body.channel, ts: `${ts++}.000100` } };
    if (method === 'chat.update') return { body: { ok: true, channel: body.channel, ts: body.ts } };
    if (method === 'auth.test') return { body: { ok: true, team_id: 'T1', user_id: 'U1', bot_id: 'B1' } };
    return { body: { ok: false, error: 'unknown_method' } };
  });
  return {
    apiUrl: `${fake.url}/api/`,
    calls,
    close: () => fake.close(),
  };
}
