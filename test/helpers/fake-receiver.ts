import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, with when it arrived and when it was answered (Date.now()). */
export interface FakeRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body a webhook receiver sent: { event, labels, details, attempt }. */
  body: { event: { eventId: string; type: string; id: string; groupId: string; status: string }; labels: Record<string, string>; attempt: number };
  at: number;
  answeredAt?: number;
  status?: number;
}

/** What the fake answers: a status (with headers), after an optional delay, or never. */
export type FakeAnswer = { status: number; headers?: Record<string, string>; delayMs?: number } | { hang: true };

export interface FakeReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (post to any path under it). */
  url: string;
  requests: FakeRequest[];
  /** Requests for one path, in arrival order. */
  on(path: string): FakeRequest[];
  close(): Promise<void>;
}

/**
 * A small HTTP server on 127.0.0.1 port 0 that stands in for a webhook
 * endpoint outside our walls. `answer` is the script: it sees each request
 * (and how many came before it on the same path) and says what to answer.
 */
export async function startFakeReceiver(answer: (req: FakeRequest, nth: number) => FakeAnswer = () => ({ status: 200 })): Promise<FakeReceiver> {
  const requests: FakeRequest[] = [];
  const perPath = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: FakeRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = { event: { eventId: '', type: '', id: '', groupId: '', status: '' }, labels: {}, attempt: 0 };
      }
      const path = req.url ?? '/';
      const record: FakeRequest = { path, headers: req.headers, body, at };
      requests.push(record);
      const nth = perPath.get(path) ?? 0;
      perPath.set(path, nth + 1);
      const a = answer(record, nth);
      if ('hang' in a) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const send = () => {
        record.answeredAt = Date.now();
        record.status = a.status;
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end('{}');
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path) => requests.filter((r) => r.path === path),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
