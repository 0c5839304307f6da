import pg from 'pg';
import type { Logger } from 'pino';

/** What arrived: events to route, or jobs to deliver. */
export type WorkKind = 'events' | 'jobs';

/** The channel replicas of one schema notify and listen on (an identifier: at most 63 bytes). */
export function workChannel(schema: string): string {
  return `aver_work_${schema}`.slice(0, 63);
}

/**
 * One connection per replica that LISTENs on the schema's channel and calls the listeners when another replica (or
 * this one) commits new events or jobs, so replicas wake at once instead of at their next poll. Best effort: while
 * the connection is down the poll still finds the work; it reconnects after a pause.
 */
export class WorkListener {
  private client: pg.Client | undefined;
  private readonly listeners = new Set<(kind: WorkKind) => void>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly config: pg.ClientConfig, private readonly channel: string, private readonly logger?: Logger) {}

  add(listener: (kind: WorkKind) => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retry) void this.connect();
    return () => { this.listeners.delete(listener); };
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    this.client = client;
    const again = (err: Error) => {
      if (this.client !== client || this.closed) return;
      this.logger?.warn({ err: { message: err.message } }, 'postgres: work notifications lost; polling until reconnected');
      this.client = undefined;
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => { this.retry = undefined; void this.connect(); }, 1000);
      this.retry.unref();
    };
    client.on('error', again);
    client.on('notification', (n) => {
      const kind = n.payload === 'events' ? 'events' : 'jobs';
      for (const l of this.listeners) l(kind);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) await client.end();
    } catch (err) {
      again(err as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
