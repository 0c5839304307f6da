import { createServer, type Server } from 'node:http';

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
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const raw = Buffer.concat(chunks).toString();
      let body: Record<string, unknown>;
      if ((req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(raw || '{}');
      else body = Object.fromEntries(new URLSearchParams(raw));
      for (const k of ['attachments', 'blocks']) if (typeof body[k] === 'string') body[k] = JSON.parse(body[k] as string);
      const call: SlackCall = { method, body, at: Date.now(), token: req.headers.authorization };
      calls.push(call);
      const custom = respond?.(call);
      let status = 200;
      let headers: Record<string, string> = {};
      let answer: unknown;
      if (custom) {
        status = custom.status ?? 200;
        headers = custom.headers ?? {};
        answer = custom.body;
      } else if (method === 'chat.postMessage') answer = { ok: true, channel: body.channel, ts: `${ts++}.000100` };
      else if (method === 'chat.update') answer = { ok: true, channel: body.channel, ts: body.ts };
      else if (method === 'auth.test') answer = { ok: true, team_id: 'T1', user_id: 'U1', bot_id: 'B1' };
      else answer = { ok: false, error: 'unknown_method' };
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
