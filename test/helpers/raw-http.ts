import { connect, type Socket } from 'node:net';

/**
 * HTTP/1.1 written and read by hand over node:net, for tests that send what a client library would not (any method,
 * repeated or broken headers, cut bodies) and that must not be seen by an interceptor: nock patches node:http and
 * fetch in every test file of the run once any file imports it, and rewrites or refuses odd requests on the way.
 */

/** The first final answer on a connection: its status and body text; `status` null when none came. */
export interface RawAnswer {
  status: number | null;
  text?: string;
  /** Why there was no answer: a socket error code, `closed`, or `no answer in time`. */
  error?: string;
}

/** Decodes a chunked body (latin1 text in, latin1 text out); what is cut short is kept as far as it goes. */
function dechunk(s: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', at);
    const size = eol < 0 ? NaN : Number.parseInt(s.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += s.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/**
 * The first answer that is not 1xx (100 Continue comes first when the client asked for it), once its head is whole;
 * `complete` once its body is too (by Content-Length, the last chunk, or no body for HEAD, 204 and 304).
 */
function parseAnswer(bytes: Buffer, method = 'GET'): (RawAnswer & { complete: boolean }) | undefined {
  let rest = bytes.toString('latin1');
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(rest);
    if (end < 0 || !m) return undefined;
    const status = Number(m[1]);
    const head = rest.slice(0, end);
    rest = rest.slice(end + 4);
    if (status < 200) continue;
    if (method === 'HEAD' || status === 204 || status === 304) return { status, text: '', complete: true };
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    const body = chunked ? dechunk(rest) : length ? rest.slice(0, Number(length[1])) : rest;
    const complete = chunked ? /(^|\r\n)0\r\n\r\n$/.test(rest) : length ? rest.length >= Number(length[1]) : false;
    return { status, text: Buffer.from(body, 'latin1').toString('utf8'), complete };
  }
}

/**
 * Opens a connection, lets `send` write to it, and reads the first final answer: until it is complete (then the
 * connection is closed), or with `firstHead` only until its head has come. A server that closes first ends it too.
 */
export function exchange(port: number, send: (socket: Socket) => void, opts: { timeoutMs: number; method?: string; firstHead?: boolean }): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(chunks), opts.method);
      resolve(answer ? { status: answer.status, text: answer.text } : { status: null, error: error ?? 'closed' });
    };
    socket.setTimeout(opts.timeoutMs, () => done('no answer in time'));
    socket.on('data', (d: Buffer) => {
      if (size < 1024 * 1024) chunks.push(d);
      size += d.length;
      const answer = parseAnswer(Buffer.concat(chunks), opts.method);
      if (answer && (opts.firstHead || answer.complete)) done();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.on('close', () => done());
    socket.once('connect', () => send(socket));
  });
}

/** Writes `body` as HTTP/1.1 chunks, a fifth at a time, yielding between them. */
export async function writeChunked(socket: Socket, body: Buffer): Promise<void> {
  const size = Math.max(1, Math.ceil(body.length / 5));
  for (let at = 0; at < body.length && !socket.destroyed; at += size) {
    const part = body.subarray(at, at + size);
    socket.write(`${part.length.toString(16)}\r\n`);
    socket.write(part);
    socket.write('\r\n');
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!socket.destroyed) socket.write('0\r\n\r\n');
}
