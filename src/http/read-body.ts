import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { BridgeError } from '../errors.js';

/**
 * How much of a refused body is still read, and dropped, so that a client still sending it can read its 413
 * before the connection closes (closing on unread bytes resets the connection, and the answer with it).
 */
const DRAIN_BYTES = 1024 * 1024;

/**
 * Reads the raw request body: the one reader for ingest, Slack's events, Teams' activities and admin forms
 * (Slack verifies its signature over these very bytes). Refuses more than `limit` bytes with a 413
 * (`payload_too_large`) without buffering them: the rest of the body (up to DRAIN_BYTES more) is read and
 * dropped, and a declared Content-Length beyond that is refused unread. A body the client stops sending is a
 * 400 `client_aborted`; one past server.requestTimeout a 408 `request_timeout` (Node has answered it already).
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > limit + DRAIN_BYTES) throw tooLarge(ctx, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  await consume(ctx.req, (chunk) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    return size <= limit + DRAIN_BYTES;
  }).catch(() => {
    throw cutShort(ctx);
  });
  if (size > limit) throw tooLarge(ctx, limit);
  return Buffer.concat(chunks, size);
}

/**
 * Feeds each chunk to `take` until the body ends or `take` answers false (the rest is left unread).
 * Rejects when the request is destroyed first. Unlike `for await`, stopping early leaves the socket open,
 * so the answer can still be written.
 */
function consume(req: IncomingMessage, take: (chunk: Buffer) => boolean): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  if (req.destroyed) return Promise.reject(new Error('aborted'));
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      if (take(chunk)) return;
      req.pause();
      done();
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('aborted'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function tooLarge(ctx: Context, limit: number): BridgeError {
  // The socket is closed after the answer: the rest of the body is neither buffered nor read through.
  ctx.set('Connection', 'close');
  return new BridgeError('payload_too_large', `request body is larger than ${limit} bytes`, { status: 413 });
}

/** The body stopped coming: Node's own requestTimeout (it has answered 408 and closed), or the client went away. */
function cutShort(ctx: Context): BridgeError {
  ctx.set('Connection', 'close');
  const cause = ctx.req.socket?.errored as NodeJS.ErrnoException | null | undefined;
  if (cause?.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new BridgeError('request_timeout', 'the request did not arrive within server.requestTimeout', { status: 408 });
  }
  return new BridgeError('client_aborted', 'the client closed the connection before sending the whole body', { status: 400 });
}
