import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { cleanEnv, REPO } from './server-process.js';

/**
 * A real SMTP server (the smtp-server package) in a process of its own on 127.0.0.1: STARTTLS with a self-signed
 * certificate made for the test by openssl, AUTH required (PLAIN or LOGIN, offered only once TLS is up), and
 * answers a test can script (`refuse`: a 450 or 550 to a command, a given number of times). Each message that
 * arrives is parsed with mailparser.
 *
 * This file is both the helper (startSmtpServer) and, run as a script, the server process.
 */

/** One message the server took: parsed, with its envelope and how the session was set up. */
export interface ReceivedMail {
  mail: ParsedMail;
  raw: string;
  envelope: { from: string; to: string[] };
  /** Whether the session was encrypted (STARTTLS) when the message came. */
  secure: boolean;
  /** The user the session logged in as. */
  user: string;
}

export interface SmtpTestServer {
  port: number;
  url: string;
  /** The self-signed certificate (PEM file): the CA for smtp.tls.caFile. */
  certFile: string;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** Commands the server refused, in order: `{stage, address, code}`. */
  refused: Array<{ stage: Stage; address?: string; code: number }>;
  /** Makes the server answer `code message` to `stage` (for `address`, or any) the next `times` times. */
  refuse(plan: { stage: Stage; address?: string; code: number; message: string; times?: number }): Promise<void>;
  close(): Promise<void>;
}

type Stage = 'mail' | 'rcpt' | 'data';

/** A self-signed certificate for 127.0.0.1 and localhost, valid two days, in `dir` (cert.pem, key.pem). */
export function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

/** Starts the server process with a new certificate in `dir`; resolves once it listens. */
export async function startSmtpServer(dir: string, credentials = { user: 'aver-bridge', password: 'smtp-password-for-tests' }): Promise<SmtpTestServer> {
  const { certFile, keyFile } = makeCertificate(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), certFile, keyFile, credentials.user, credentials.password], {
    cwd: REPO, env: cleanEnv(), stdio: ['pipe', 'pipe', 'inherit'],
  });
  const received: ReceivedMail[] = [];
  const refused: SmtpTestServer['refused'] = [];
  const acks = new Map<number, () => void>();
  let parsing = Promise.resolve();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP server process exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as ChildLine;
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'ack') acks.get(m.id)?.();
      else if (m.type === 'refused') refused.push({ stage: m.stage, ...(m.address ? { address: m.address } : {}), code: m.code });
      else if (m.type === 'message') {
        const raw = Buffer.from(m.raw, 'base64').toString('utf8');
        parsing = parsing.then(async () => {
          received.push({ mail: await simpleParser(raw), raw, envelope: m.envelope, secure: m.secure, user: m.user });
        });
      }
    });
  });
  let next = 0;
  return {
    port, url: `smtp://127.0.0.1:${port}`, certFile, ...credentials, received, refused,
    refuse: (plan) => new Promise<void>((resolve) => {
      const id = ++next;
      acks.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ id, ...plan })}\n`);
    }),
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

type ChildLine =
  | { type: 'listening'; port: number }
  | { type: 'ack'; id: number }
  | { type: 'refused'; stage: Stage; address?: string; code: number }
  | { type: 'message'; raw: string; envelope: { from: string; to: string[] }; secure: boolean; user: string };

/** The server process: argv is the certificate, its key, the user and the password; stdin takes refusal plans. */
async function serve(certFile: string, keyFile: string, user: string, password: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { SMTPServer } = await import('smtp-server');
  const say = (line: ChildLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const plans: Array<{ stage: Stage; address?: string; code: number; message: string; times: number }> = [];
  const take = (stage: Stage, address?: string): Error | undefined => {
    const plan = plans.find((p) => p.stage === stage && p.times > 0 && (p.address === undefined || p.address === address));
    if (!plan) return undefined;
    plan.times -= 1;
    say({ type: 'refused', stage, ...(address ? { address } : {}), code: plan.code });
    return Object.assign(new Error(plan.message), { responseCode: plan.code });
  };
  const server = new SMTPServer({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      callback(take('mail', address.address));
    },
    onRcptTo(address, _session, callback) {
      callback(take('rcpt', address.address));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = take('data');
        if (refusal) return callback(refusal);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        say({ type: 'message', raw: Buffer.concat(chunks).toString('base64'), envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, secure: session.secure, user: String(session.user ?? '') });
        callback(null, 'queued');
      });
    },
  });
  createInterface({ input: process.stdin }).on('line', (line) => {
    const plan = JSON.parse(line) as { id: number; stage: Stage; address?: string; code: number; message: string; times?: number };
    plans.push({ stage: plan.stage, ...(plan.address ? { address: plan.address } : {}), code: plan.code, message: plan.message, times: plan.times ?? 1 });
    say({ type: 'ack', id: plan.id });
  });
  // The test is done with it: no need to wait for the client's pooled connections to close.
  process.on('SIGTERM', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => say({ type: 'listening', port: (server.server.address() as { port: number }).port }));
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const [certFile, keyFile, user, password] = process.argv.slice(2);
  void serve(certFile, keyFile, user, password);
}
