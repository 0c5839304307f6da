import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the fake receiver answers one request with; 'hang' never answers (a timeout). */
export type FakeAnswer = { status: number; headers?: Record<string, string> } | 'hang';

export interface FakeRequest {
  path: string;
  eventId: string;
  body: any;
}

/**
 * A webhook endpoint on 127.0.0.1 port 0 that stands in for a customer's
 * server (outside our walls): each request is recorded and answered by the
 * script, which may change between requests.
 */
export async function startFakeReceiver(script: (req: FakeRequest, nth: number) => FakeAnswer) {
  const requests: FakeRequest[] = [];
  const hanging: ServerResponse[] = [];
  let answer = script;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any = null;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = null; }
      const r: FakeRequest = { path: req.url ?? '', eventId: String(req.headers['x-aver-bridge-event-id'] ?? ''), body };
      requests.push(r);
      const a = answer(r, requests.filter((x) => x.eventId === r.eventId).length);
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Replaces the script (e.g. the receiver is fixed and now answers 200). */
    setScript(next: (req: FakeRequest, nth: number) => FakeAnswer) {
      answer = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
