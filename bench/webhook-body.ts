import { request, type Agent } from 'node:http';

/** A valid Aver webhook whose entity id is `id`: unique ids keep dedup from short-circuiting. */
export function webhookBody(id: string, status = 'Completed'): string {
  return JSON.stringify({ statusMessage: { type: 'LiveCheck', id, groupId: 'bench-group', status } });
}

/** The header and value every bench bridge config accepts. */
export const BENCH_SECRET = 'bench-secret-value';
export const BENCH_HEADER = 'authorization';
export const WEBHOOK_PATH = '/webhooks/aver';

/**
 * Posts one webhook body to `url` with the bench secret, on `agent`'s kept-alive connections. Resolves with the
 * answer's status, 0 for a refused, reset or dropped connection, or none within 30 s (a stalled bridge must not
 * stall the benchmark); never rejects.
 */
export function postWebhook(agent: Agent, url: URL, body: string): Promise<number> {
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [BENCH_HEADER]: BENCH_SECRET };
  return new Promise((resolve) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, signal: AbortSignal.timeout(30_000) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
