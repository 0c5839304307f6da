import { expect } from 'chai';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrfToken, sessionValue } from '../../src/admin/session.js';
import { postWebhook, tempDir, waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { fuzzRequest, type FuzzRequest, type FuzzTarget } from '../helpers/fuzz-requests.js';
import type { LogRecord } from '../helpers/logger.js';
import { usePostgres } from '../helpers/postgres.js';
import { itemSeed, prng } from '../helpers/prng.js';
import { exchange, writeChunked, type RawAnswer } from '../helpers/raw-http.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// Issue 13's "Done when": 20,000 fuzzed requests get no 5xx of any kind, and no client's mistake writes an error
// line. Every endpoint is sent generated requests (test/helpers/fuzz-requests.ts), each from its own seeded stream,
// written by hand on a socket of its own (test/helpers/raw-http.ts: no client library, and no nock, which patches
// node:http in the whole mocha run). Which test replays which finding of the issue: test/fault/README.md.
//
//   AVER_BRIDGE_FUZZ_SEED=<n>    another run (the seed is printed with every failure)
//   AVER_BRIDGE_FUZZ_ONLY=<i,j>  only requests i and j of that seed (a failure names its index)
//   AVER_BRIDGE_FUZZ_COUNT=<n>   how many (SQLite; PostgreSQL runs a tenth of it)

const SEED = Number(process.env.AVER_BRIDGE_FUZZ_SEED ?? 0x13f022);
const COUNT = Number(process.env.AVER_BRIDGE_FUZZ_COUNT ?? 20_000);
const ONLY = process.env.AVER_BRIDGE_FUZZ_ONLY?.split(',').map(Number);
const CONCURRENCY = 16;
/** A request that has no answer after this long is reported (the bridge's requestTimeout is 2 s). */
const ANSWER_WITHIN_MS = 8000;

const WEBHOOK_SECRET = 'fuzz-webhook-secret';
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';
const SLACK_SIGNING = 'fuzz-slack-signing-secret';
const SLACK_CHANNEL = 'C0FUZZ0001';
const TENANT = '00000000-0000-4000-8000-000000000001';
const ISSUER = 'https://api.botframework.com';
const APP_ID = randomUUID();
const KID = 'fuzz-key';

/** The stand-ins for everything outside the bridge: a webhook receiver, Slack, Aver's API, Teams' keys and connector. */
interface World {
  hook: FakeHttp;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  aver: FakeHttp;
  keys: FakeHttp;
  connector: FakeHttp;
  close(): Promise<void>;
}

/** Aver's API: ordinary details for most ids; for some, text with NULs and lone surrogates, odd shapes, 404 or 500. */
function averAnswer(path: string) {
  if (path === '/api/auth/token') return { body: { token: 'aver-token' } };
  const m = /^\/api\/(check|watchlist)\/([^/]+)(\/results)?$/.exec(path);
  if (!m) return { status: 404 };
  const h = [...m[2]].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % 8;
  if (h === 0) return { status: 404 };
  if (h === 1) return { status: 500 };
  if (h === 2) return { body: { id: m[2], statusReason: 'Expired\u0000Docs\ud800', thirdPartyIdentifier: '*tp*\u0007<!here>', checkTypes: ['A\u0000', 'B,C'], warnings: ['WatchlistHitsFound\u0000', '\udfff'] } };
  if (h === 3) return { body: { statusReason: {}, warnings: 'x', checkTypes: [1, null, '__proto__'], watchlistResults: 'many', searchCriteria: null } };
  if (h === 4) return { body: { __proto__: { polluted: true }, constructor: 'x', warnings: ['toString', 'constructor'] } };
  return { body: { id: m[2], status: 'Rejected', statusReason: 'ExpiredDocuments', warnings: ['WatchlistHitsFound'], watchlistResults: [{}], adverseMediaResults: [] } };
}

async function startWorld(signer: KeyObject): Promise<World> {
  const hook = await startFakeHttp(() => ({ status: 200 }));
  const slack = await startFakeSlack();
  const aver = await startFakeHttp((req) => averAnswer(req.path));
  const jwk = { kty: 'RSA', use: 'sig', kid: KID, ...signer.export({ format: 'jwk' }), endorsements: ['msteams'] };
  const keys: FakeHttp = await startFakeHttp((req) => {
    if (req.path.endsWith('/openid')) return { body: { issuer: ISSUER, jwks_uri: `${keys.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] } };
    if (req.path === '/keys') return { body: { keys: [jwk] } };
    return { status: 404 };
  });
  const connector = await startFakeHttp(() => ({ status: 200, body: {} }));
  return {
    hook, slack, aver, keys, connector,
    close: async () => {
      for (const f of [hook, aver, keys, connector]) await f.close();
      await slack.close();
    },
  };
}

function bridgeYaml(w: World, storageUrl: string): string {
  const pacing = 'pacing: { ratePerSecond: 100000, burst: 100000, perHour: 100000000 }';
  return `
server: { host: 127.0.0.1, port: 0, requestTimeout: 2s }
aver:
  webhook: { secrets: ["${WEBHOOK_SECRET}"] }
  groups: { "grp-1": "Acme onboarding" }
  links: { check: "https://aver.example/checks/{id}" }
  api: { baseUrl: "${w.aver.url}/api", key: fuzz-key, secret: fuzz-api-secret, timeout: 2s }
admin: { token: "${ADMIN_TOKEN}" }
slack: { botToken: xoxb-fuzz-0000, signingSecret: "${SLACK_SIGNING}", apiUrl: "${w.slack.apiUrl}" }
teams:
  appId: "${APP_ID}"
  appPassword: not-used-by-the-fuzzer
  serviceUrl: "${w.connector.url}/"
  allowedTenants: ["${TENANT}"]
  auth:
    ToChannelFromBotLoginUrl: https://login.microsoftonline.com/botframework.com
    ToChannelFromBotOAuthScope: ${ISSUER}
    ToBotFromChannelTokenIssuer: ${ISSUER}
    OAuthUrl: ${ISSUER}
    ToBotFromChannelOpenIdMetadataUrl: "${w.keys.url}/channel/openid"
    ToBotFromEmulatorOpenIdMetadataUrl: "${w.keys.url}/emulator/openid"
    CallerId: urn:botframework:azure
    ValidateAuthority: "true"
delivery: { pollInterval: 20ms, maxAge: 1m }
storage: { url: "${storageUrl}" }
receivers:
  - name: hook
    webhook: { url: "${w.hook.url}/hook" }
    ${pacing}
  - name: kyc-slack
    slack: { channel: ${SLACK_CHANNEL}, updates: thread, mention: { Rejected: ["<!here>"] } }
    ${pacing}
route:
  receiver: hook
  routes:
    - receiver: kyc-slack
      matchers: ['type = "LiveCheck"']
      continue: true
    - receiver: hook
`;
}

function fuzzTarget(w: World, signer: KeyObject, stranger: KeyObject): FuzzTarget {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const nowS = () => Math.floor(Date.now() / 1000);
  // Tokens are valid for an hour from the start of the run: each variant is signed once (RSA signing is slow).
  const start = nowS();
  const signed = new Map<string, string>();
  const teamsToken: FuzzTarget['teamsToken'] = (over = {}) => {
    const key = JSON.stringify(over);
    const known = signed.get(key);
    if (known) return known;
    const header = { alg: 'RS256', typ: 'JWT', kid: KID, ...over.header };
    const claims = { iss: ISSUER, aud: APP_ID, serviceurl: `${w.connector.url}/`, nbf: start - 60, iat: start - 60, exp: start + 3600, ...over.claims };
    const input = `${b64(header)}.${b64(claims)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), over.forge ? stranger : signer).toString('base64url')}`;
    signed.set(key, token);
    return token;
  };
  return {
    webhookPath: '/webhooks/aver',
    webhookSecret: WEBHOOK_SECRET,
    adminToken: ADMIN_TOKEN,
    adminSession: () => {
      const cookie = sessionValue(ADMIN_TOKEN, Date.now() + 3600_000);
      return { cookie, csrf: csrfToken(ADMIN_TOKEN, cookie) };
    },
    slackSigningSecret: SLACK_SIGNING,
    slackChannel: SLACK_CHANNEL,
    teamsServiceUrl: `${w.connector.url}/`,
    teamsToken,
    nowS,
  };
}

/** Sends one generated request on a fresh connection, written by hand: any method, repeated headers, cut bodies. */
function sendHttp(port: number, req: FuzzRequest): Promise<RawAnswer> {
  const headers = ['Host', `127.0.0.1:${port}`, ...req.headers];
  const body = req.body;
  if (body && req.send === 'chunked') headers.push('Transfer-Encoding', 'chunked');
  else if (body && req.send === 'abort') headers.push('Content-Length', String(body.length + 1000));
  else if (body || !['GET', 'HEAD'].includes(req.method)) headers.push('Content-Length', String(body?.length ?? 0));
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  for (let k = 0; k < headers.length; k += 2) head += `${headers[k]}: ${headers[k + 1]}\r\n`;
  const cut = req.send === 'abort';
  const answer = exchange(port, (socket) => {
    socket.write(Buffer.from(`${head}\r\n`, 'latin1'));
    if (!body) return;
    if (cut) {
      socket.write(body.subarray(0, Math.floor(body.length / 2)));
      setImmediate(() => socket.destroy());
    } else if (req.send === 'chunked') {
      void writeChunked(socket, body);
    } else {
      socket.write(body);
    }
  }, { timeoutMs: ANSWER_WITHIN_MS, method: req.method });
  return cut ? answer.then(() => ({ status: null, error: 'cut by the client' })) : answer;
}

/** Writes raw bytes on a fresh connection and reads the status of the first answer. */
function sendRaw(port: number, bytes: Buffer): Promise<RawAnswer> {
  return exchange(port, (socket) => socket.write(bytes), { timeoutMs: ANSWER_WITHIN_MS, firstHead: true });
}

/** A failure as a line someone can replay: the seed, the index, and the request (long values cut). */
function replayLine(i: number, req: FuzzRequest, o: RawAnswer): string {
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s);
  const body = req.send === 'raw' ? req.raw!.toString('latin1') : req.body?.toString('utf8') ?? '';
  return `seed ${SEED} request #${i} (${req.kind}): ${req.method} ${cut(req.path)} [${req.send}] headers ${cut(JSON.stringify(req.headers))} body ${cut(JSON.stringify(body))} → ${o.status} ${cut(o.text ?? '')}`;
}

interface Run {
  sent: number;
  /** `kind → status` counts. */
  statuses: Map<string, number>;
  fiveHundreds: string[];
  unanswered: Map<string, number>;
  /** The first request of each kind closed without an answer, replayable. */
  firstUnanswered: string[];
  accepted: string[];
  ms: number;
}

async function fuzz(port: number, target: FuzzTarget, count: number): Promise<Run> {
  const run: Run = { sent: 0, statuses: new Map(), fiveHundreds: [], unanswered: new Map(), firstUnanswered: [], accepted: [], ms: 0 };
  const indexes = ONLY ?? Array.from({ length: count }, (_, i) => i);
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < indexes.length) {
      const i = indexes[next++];
      const req = fuzzRequest(prng(itemSeed(SEED, i)), i, target);
      const o = req.send === 'raw' ? await sendRaw(port, req.raw!) : await sendHttp(port, req);
      run.sent++;
      const key = `${req.kind.split(' ')[0]} → ${o.status ?? (req.send === 'abort' ? 'cut' : 'none')}`;
      run.statuses.set(key, (run.statuses.get(key) ?? 0) + 1);
      if (o.status !== null && o.status >= 500) run.fiveHundreds.push(replayLine(i, req, o));
      if (o.status === null && req.send !== 'abort' && req.send !== 'raw') {
        const why = `${req.kind} [${req.send}]: ${o.error}`;
        if (!run.unanswered.has(why)) run.firstUnanswered.push(replayLine(i, req, o));
        run.unanswered.set(why, (run.unanswered.get(why) ?? 0) + 1);
      }
      if (o.status === 202 && req.path === target.webhookPath) run.accepted.push((JSON.parse(o.text!) as { eventId: string }).eventId);
    }
  }));
  run.ms = Date.now() - started;
  return run;
}

/** Error-level lines (≥ 50), and anything on stdout or stderr that is not a JSON log line (an SDK's print, a stack). */
function errorsLogged(server: ServerProcess): { errors: LogRecord[]; stray: string[] } {
  const errors = server.logs().filter((l) => l.level >= 50);
  const stray = server.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
  return { errors, stray };
}

const summarise = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join('; ');

/** Starts the world and a bridge process on `storageUrl`, fuzzes it with `count` requests, and checks the outcome. */
async function fuzzBridge(storageUrl: string, count: number, label: string): Promise<void> {
  const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const world = await startWorld(signer.publicKey);
  const temp = tempDir();
  let server: ServerProcess | undefined;
  try {
    const file = join(temp.dir, 'aver-bridge.yaml');
    writeFileSync(file, bridgeYaml(world, storageUrl));
    server = await startServerProcess(file);
    const target = fuzzTarget(world, signer.privateKey, stranger.privateKey);
    const run = await fuzz(server.port, target, count);
    console.log(`      fuzz (${label}): seed ${SEED}, ${run.sent} requests in ${(run.ms / 1000).toFixed(1)} s, ${run.accepted.length} webhooks accepted`);
    console.log(`      statuses: ${summarise(run.statuses)}`);
    if (run.unanswered.size) console.log(`      closed without an answer: ${summarise(run.unanswered)}\n        ${run.firstUnanswered.join('\n        ')}`);

    // Every accepted webhook is delivered: a 202 means stored, and nothing a neighbour sent may cost it its delivery.
    const delivered = () => new Set(world.hook.requests.map((r) => r.eventId));
    await waitFor(() => run.accepted.every((id) => delivered().has(id)), `${run.accepted.length} accepted webhooks delivered`, 30_000)
      .catch(() => undefined);
    const { errors, stray } = errorsLogged(server);
    expect({
      fiveHundreds: run.fiveHundreds,
      errorLines: errors.map((l) => JSON.stringify(l).slice(0, 800)),
      notLogLines: stray.slice(0, 20),
      undelivered: run.accepted.filter((id) => !delivered().has(id)).slice(0, 20),
      // Finding 11: whatever the id, Aver's API sees the token only on /check/{one segment} and /watchlist/{one segment}.
      averPathsElsewhere: world.aver.requests.map((r) => r.path).filter((p) => p !== '/api/auth/token' && !/^\/api\/(check|watchlist)\/[^/?#]+(\/results)?$/.test(p)),
    }, `seed ${SEED}`).to.deep.equal({ fiveHundreds: [], errorLines: [], notLogLines: [], undelivered: [], averPathsElsewhere: [] });
    // Node answers a header block over its limit with 431 and closes at once, so a client still sending its body may
    // miss it (ECONNRESET): a few such, but a server that drops connections would show here.
    const unanswered = [...run.unanswered.values()].reduce((a, b) => a + b, 0);
    expect(unanswered, 'requests closed without an answer').to.be.below(Math.max(5, count / 200));
    expect(server.child.exitCode, 'the process is still running').to.equal(null);
    expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
    const good = await postWebhook(`${server.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'after-fuzz', groupId: 'grp-1', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(good.status).to.equal(202);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).to.equal(0);
  } finally {
    await killServer(server);
    await world.close();
    temp.cleanup();
  }
}

describe(`fuzz: ${COUNT.toLocaleString('en')} generated requests to every endpoint of a bridge process (issue 13)`, function () {
  this.timeout(180_000);

  it('SQLite: no 5xx, no error-level line, every accepted webhook delivered', async () => {
    const temp = tempDir();
    try {
      await fuzzBridge(`sqlite:${join(temp.dir, 'bridge.db')}`, COUNT, 'SQLite');
    } finally {
      temp.cleanup();
    }
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres('the fuzz run on PostgreSQL');
    it(`PostgreSQL (${Math.ceil(COUNT / 10).toLocaleString('en')} requests): no 5xx, no error-level line, every accepted webhook delivered`, async () => {
      const pg = db();
      await fuzzBridge(pg.urlFor(await pg.freshSchema()), Math.ceil(COUNT / 10), 'PostgreSQL');
    });
  });
});
