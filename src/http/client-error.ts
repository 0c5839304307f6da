import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors.js';

/** How long a refused client may keep sending before its socket is closed hard. */
const LINGER_MS = 2_000;

/** Node's parser and timeout errors, as the answer the client should read. */
function answerFor(code: string | undefined): { status: number; code: ErrorCode; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request did not arrive within server.requestTimeout' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'payload_too_large', message: 'chunk extensions are too large' };
    default:
      return { status: 400, code: 'bad_request', message: 'the request is not valid HTTP' };
  }
}

/**
 * Answers a request Node could not parse with a JSON error the client can read, then closes: Node's own handler
 * destroys the socket right after writing, so a client still sending its headers or body often gets a reset
 * instead of the 431 or 400. Here the rest of what it sends is read and dropped until it stops or LINGER_MS passes.
 * A timeout is answered as Node does (write, then destroy with the error), so a request being read sees
 * `request_timeout` (read-body.ts).
 */
export function answerClientError(err: NodeJS.ErrnoException & { bytesWritten?: number }, socket: Duplex & { bytesWritten?: number }): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer = answerFor(err.code);
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
  const text =
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    if (!socket.bytesWritten) socket.write(text);
    socket.destroy(err);
    return;
  }
  socket.end(text);
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
