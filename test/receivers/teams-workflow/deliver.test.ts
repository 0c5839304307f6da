import { expect } from 'chai';
import nock from 'nock';
import type { AverEvent } from '../../../src/model/event.js';
import { createTeamsWorkflowReceiver } from '../../../src/receivers/teams-workflow/deliver.js';
import { redactUrl } from '../../../src/receivers/http-failure.js';
import { testConfig } from '../../helpers/config.js';
import { ctx as kitCtx, event as kitEvent, job as kitJob } from '../../helpers/fixtures.js';
import { memoryLogger } from '../../helpers/logger.js';
import type { SentActivity } from '../../helpers/teams-card.js';

const HOST = 'http://flows.test';
const PATH = '/workflows/abc123/triggers/manual/paths/invoke';
const SIG = 'sig-very-secret-signature';
const URL_WITH_SIG = `${HOST}${PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
const config = testConfig();

const event = (status: string) => kitEvent(status, { type: 'WatchlistSearch', id: 'wl-1', receivedAt: Date.UTC(2024, 4, 17) });
const job = (e: AverEvent) => kitJob(e, { receiver: 'ops-workflow', destinationKey: 'teamsWorkflow:ops-workflow', labels: { group: 'Acme onboarding' } });

describe('createTeamsWorkflowReceiver', () => {
  const logs = memoryLogger('trace');
  const ctx = (signal = new AbortController().signal) => kitCtx(null, [], signal, logs.logger);
  const receiver = (pacing?: { ratePerSecond?: number }) =>
    createTeamsWorkflowReceiver({ name: 'ops-workflow', teamsWorkflow: { url: URL_WITH_SIG }, ...(pacing ? { pacing } : {}) }, { fetch, config, logger: logs.logger });

  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('has kind teamsWorkflow, a destination per receiver and its own pacing', () => {
    const r = receiver();
    expect(r.kind).to.equal('teamsWorkflow');
    expect(r.destinationKey(job(event('Completed')))).to.equal('teamsWorkflow:ops-workflow');
    expect(r.pacing).to.deep.equal({ ratePerSecond: 4, burst: 4 });
    expect(receiver({ ratePerSecond: 1 }).pacing).to.deep.equal({ ratePerSecond: 1, burst: 4 });
  });

  it('posts a message with the Adaptive Card as its one attachment; 202 is success', async () => {
    let sent!: SentActivity;
    const scope = nock(HOST)
      .post(PATH, (body) => {
        sent = body;
        return true;
      })
      .query({ 'api-version': '1', sp: '/triggers/manual/run', sv: '1.0', sig: SIG })
      .matchHeader('content-type', 'application/json')
      .reply(202);
    const result = await receiver().deliver(job(event('Failed')), ctx());
    scope.done();
    expect(result).to.deep.equal({ ok: true });
    expect(Object.keys(sent)).to.deep.equal(['type', 'attachments']);
    expect(sent.type).to.equal('message');
    expect(sent.attachments).to.have.length(1);
    expect(sent.attachments[0].contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(sent.attachments[0].contentUrl).to.equal(null);
    expect(sent.attachments[0].content.type).to.equal('AdaptiveCard');
    expect(sent.attachments[0].content.version).to.equal('1.5');
    expect(sent.attachments[0].content.body[0].style).to.equal('attention');
  });

  const table: Array<{ status: number; retryable: boolean; code: string; headers?: Record<string, string>; retryAfterMs?: number }> = [
    { status: 200, retryable: false, code: 'ok' },
    { status: 429, retryable: true, code: 'rateLimited', headers: { 'Retry-After': '12' }, retryAfterMs: 12_000 },
    { status: 500, retryable: true, code: 'serverError' },
    { status: 502, retryable: true, code: 'serverError' },
    { status: 503, retryable: true, code: 'serverError' },
    { status: 400, retryable: false, code: 'clientError' },
    { status: 401, retryable: false, code: 'authError' },
    { status: 403, retryable: false, code: 'authError' },
    { status: 404, retryable: false, code: 'clientError' },
    { status: 408, retryable: true, code: 'serverError' },
  ];
  for (const row of table) {
    it(`${row.status} → ${row.code === 'ok' ? 'success' : row.retryable ? 'retry' : 'give up'}, and the signature never shows`, async () => {
      const scope = nock(HOST).post(PATH).query(true).reply(row.status, '{"error":{"code":"x"}}', row.headers ?? {});
      const result = await receiver().deliver(job(event('Completed')), ctx());
      scope.done();
      if (row.code === 'ok') return void expect(result).to.deep.equal({ ok: true });
      expect(result).to.deep.include({ ok: false, retryable: row.retryable, code: row.code });
      if (result.ok) return;
      expect(result.retryAfterMs).to.equal(row.retryAfterMs);
      expect(result.reason).to.include(String(row.status));
      expect(result.reason).to.include('(http://flows.test/…)');
      expect(JSON.stringify(result)).not.to.include('sig');
      expect(logs.text()).not.to.include(SIG);
    });
  }

  it('a network error is retryable and names no secret', async () => {
    const scope = nock(HOST).post(PATH).query(true).replyWithError('connection reset');
    const result = await receiver().deliver(job(event('Completed')), ctx());
    scope.done();
    expect(result).to.deep.include({ ok: false, retryable: true, code: 'serverError' });
    expect(JSON.stringify(result)).not.to.include(SIG);
  });

  it('an aborted request is a retryable timeout', async () => {
    nock(HOST).post(PATH).query(true).reply(202);
    const controller = new AbortController();
    controller.abort();
    const result = await receiver().deliver(job(event('Completed')), ctx(controller.signal));
    expect(result).to.deep.include({ ok: false, retryable: true, failure: 'timeout', code: 'timeout' });
  });

  it('redactUrl (shared with the webhook receiver) keeps only scheme and host: the signature never shows', () => {
    expect(redactUrl(URL_WITH_SIG)).to.equal('http://flows.test/…');
    expect(redactUrl('not a url')).to.equal('[invalid url]');
  });
});
