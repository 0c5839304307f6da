import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, and (once answered) how and when it was answered (Date.now()). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body: parsed JSON, else the text as it came, undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one fake stands in for every endpoint (webhooks, Bot Connector, Workflows, Aver's API): each test reads the shape its endpoint gets
  body: any;
  /** The body as text, as it came. */
  raw: string;
  /** The bridge's x-aver-bridge-event-id header ('' without it). */
  eventId: string;
  /** When the request arrived. */
  at: number;
  answeredAt?: number;
  status?: number;
}

/** What the fake answers: a status (default 200), headers, a JSON body (default {}), after an optional delay; or never ('hang'). */
export type FakeAnswer = { status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number } | 'hang';

/**
 * The script: it sees each request (already in `requests`) and `nth`, how many requests came before it on the
 * same path, and says what to answer. Returning nothing answers 200 {}.
 */
export type FakeScript = (req: RecordedRequest, nth: number) => FakeAnswer | void | Promise<FakeAnswer | void>;

export interface FakeHttp {
  /** Base URL, e.g. http://127.0.0.1:PORT (requests may go to any path under it). */
  url: string;
  requests: RecordedRequest[];
  /** Requests for one path, in arrival order. */
  on(path: string): RecordedRequest[];
  /** Requests carrying one bridge event id (x-aver-bridge-event-id), in arrival order. */
  forEvent(eventId: string): RecordedRequest[];
  /** Replaces the script (e.g. the endpoint is fixed and now answers 200). */
  setScript(next: FakeScript): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server on 127.0.0.1 port 0 standing in for an endpoint outside our walls (a customer's webhook,
 * Teams' connector, a Workflows URL, Aver's API). Records every request; the script decides each answer.
 */
export async function startFakeHttp(script: FakeScript = () => undefined): Promise<FakeHttp> {
  const requests: RecordedRequest[] = [];
  const perPath = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let answer = script;
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answerRequest());
    async function answerRequest() {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try { body = raw ? JSON.parse(raw) : undefined; } catch { /* keep the text */ }
      const path = req.url ?? '/';
      const eventId = String(req.headers['x-aver-bridge-event-id'] ?? '');
      const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, raw, eventId, at };
      requests.push(record);
      const nth = perPath.get(path) ?? 0;
      perPath.set(path, nth + 1);
      const a = (await answer(record, nth)) ?? {};
      if (a === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const send = () => {
        record.answeredAt = Date.now();
        record.status = a.status ?? 200;
        res.writeHead(record.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body === undefined ? '{}' : JSON.stringify(a.body));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path) => requests.filter((r) => r.path === path),
    forEvent: (eventId) => requests.filter((r) => r.eventId === eventId),
    setScript: (next) => { answer = next; },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
