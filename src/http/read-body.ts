import type { Context } from 'koa';
import { BridgeError } from '../errors.js';

/**
 * Reads the raw request body: the one reader for ingest, Slack's events, Teams' activities and admin forms
 * (Slack verifies its signature over these very bytes). Refuses more than `limit` bytes with a 413
 * (`payload_too_large`) before buffering it all: a declared Content-Length over the limit unread, a chunked
 * body as soon as it passes the limit.
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > limit) throw tooLarge(ctx, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(ctx, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(ctx: Context, limit: number): BridgeError {
  // Reading stops here; the socket is closed after the response, so the rest is neither buffered nor
  // read through (Node would otherwise read a refused body to its end to keep the connection).
  ctx.set('Connection', 'close');
  return new BridgeError('payload_too_large', `request body is larger than ${limit} bytes`, { status: 413 });
}
