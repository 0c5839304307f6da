import type { Context } from 'koa';
import { BridgeError } from '../errors.js';

/** Reads the raw request body, refusing more than `limit` bytes with a 413 before buffering it all. */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the socket is closed after the response so the rest is not buffered.
      ctx.set('Connection', 'close');
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): BridgeError {
  return new BridgeError('payload_too_large', `request body is larger than ${limit} bytes`, { status: 413 });
}
