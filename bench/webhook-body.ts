/** A valid Aver webhook whose entity id is `id`: unique ids keep dedup from short-circuiting. */
export function webhookBody(id: string, status = 'Completed'): string {
  return JSON.stringify({ statusMessage: { type: 'LiveCheck', id, groupId: 'bench-group', status } });
}

/** The header and value every bench bridge config accepts. */
export const BENCH_SECRET = 'bench-secret-value';
export const BENCH_HEADER = 'authorization';
export const WEBHOOK_PATH = '/webhooks/aver';
