import { expect } from 'chai';
import { ErrorCode } from '@slack/web-api';
import { BridgeError } from '../../src/errors.js';
import { FAILURE_REASONS, type FailureReason } from '../../src/model/failure-reason.js';
import type { DeliveryResult } from '../../src/receivers/receiver.js';
import { resultFromError, resultFromStatus } from '../../src/receivers/http-failure.js';
import { slackErrorToResult } from '../../src/receivers/slack/deliver.js';
import { mapTeamsError } from '../../src/receivers/teams/map-error.js';

// The `reason` label of aver_bridge_deliveries_total is the `failure` each receiver sets on its result;
// these tables pin it per integration, with the code kept in the job's history beside it.
function failed(result: DeliveryResult): { failure: FailureReason; code: string } {
  if (result.ok) throw new Error('expected a failed delivery');
  expect(FAILURE_REASONS).to.include(result.failure);
  return { failure: result.failure, code: result.code };
}

describe('DeliveryResult.failure (the metrics reason)', () => {
  describe('webhook-style receivers (resultFromStatus, resultFromError)', () => {
    const table: Array<[status: number, failure: FailureReason]> = [
      [429, 'rateLimited'],
      [401, 'authError'],
      [403, 'authError'],
      [500, 'serverError'],
      [502, 'serverError'],
      [503, 'serverError'],
      [408, 'serverError'],
      [400, 'clientError'],
      [404, 'clientError'],
      [301, 'clientError'],
    ];
    for (const [status, failure] of table) {
      it(`HTTP ${status} → ${failure}`, () => {
        expect(failed(resultFromStatus(status, null, 0, 'webhook "a"'))).to.deep.equal({ failure, code: failure });
      });
    }
    it('no answer in time → timeout', () => {
      expect(failed(resultFromError({ name: 'TimeoutError' }, 'webhook "a"'))).to.deep.equal({ failure: 'timeout', code: 'timeout' });
      expect(failed(resultFromError({ name: 'AbortError' }, 'webhook "a"'))).to.deep.equal({ failure: 'timeout', code: 'timeout' });
    });
    it('connection refused or reset → serverError', () => {
      expect(failed(resultFromError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'webhook "a"'))).to.deep.equal({ failure: 'serverError', code: 'serverError' });
      expect(failed(resultFromError({ code: 'ECONNRESET' }, 'webhook "a"'))).to.deep.equal({ failure: 'serverError', code: 'serverError' });
    });
  });

  describe('Slack (slackErrorToResult)', () => {
    const platform = (error: string) => ({ code: ErrorCode.PlatformError, data: { ok: false, error } });
    const table: Array<[what: string, err: unknown, failure: FailureReason, code: string]> = [
      ['a 429', { code: ErrorCode.RateLimitedError, retryAfter: 3 }, 'rateLimited', 'rateLimited'],
      ['invalid_auth', platform('invalid_auth'), 'authError', 'authError'],
      ['not_authed', platform('not_authed'), 'authError', 'authError'],
      ['token_revoked', platform('token_revoked'), 'authError', 'authError'],
      ['account_inactive', platform('account_inactive'), 'authError', 'authError'],
      ['missing_scope', platform('missing_scope'), 'authError', 'missing_scope'],
      ['channel_not_found', platform('channel_not_found'), 'clientError', 'channel_not_found'],
      ['not_in_channel', platform('not_in_channel'), 'clientError', 'not_in_channel'],
      ['is_archived', platform('is_archived'), 'clientError', 'is_archived'],
      ['msg_too_long', platform('msg_too_long'), 'clientError', 'msg_too_long'],
      ['invalid_blocks', platform('invalid_blocks'), 'clientError', 'invalid_blocks'],
      ['invalid_attachments', platform('invalid_attachments'), 'clientError', 'invalid_attachments'],
      ['an unknown platform error', platform('something_new'), 'clientError', 'clientError'],
      ['internal_error', platform('internal_error'), 'serverError', 'serverError'],
      ['fatal_error', platform('fatal_error'), 'serverError', 'serverError'],
      ['service_unavailable', platform('service_unavailable'), 'serverError', 'serverError'],
      ['request_timeout', platform('request_timeout'), 'serverError', 'serverError'],
      ['HTTP 502', { code: ErrorCode.HTTPError, statusCode: 502 }, 'serverError', 'serverError'],
      ['HTTP 408', { code: ErrorCode.HTTPError, statusCode: 408 }, 'serverError', 'serverError'],
      ['HTTP 404', { code: ErrorCode.HTTPError, statusCode: 404 }, 'clientError', 'clientError'],
      [
        'a connection refused',
        Object.assign(new Error('A request error occurred: connect ECONNREFUSED'), {
          code: ErrorCode.RequestError,
          original: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        }),
        'serverError', 'serverError',
      ],
      [
        'a request that timed out',
        Object.assign(new Error('A request error occurred: timeout'), { code: ErrorCode.RequestError, original: new Error('timeout of 5000ms exceeded') }),
        'timeout', 'timeout',
      ],
      ['our own error', new BridgeError('slack_channel_not_found', 'Slack channel #x not found'), 'other', 'slack_channel_not_found'],
      ['anything else', new Error('boom'), 'other', 'other'],
    ];
    for (const [what, err, failure, code] of table) {
      it(`${what} → ${failure} (code ${code})`, () => {
        expect(failed(slackErrorToResult(err, 'channel C1'))).to.deep.equal({ failure, code });
      });
    }

    it('channel_not_found names the channel with "channel" once, by id or by name', () => {
      const reason = (where: string) => {
        const r = slackErrorToResult(platform('channel_not_found'), where);
        return r.ok ? '' : r.reason;
      };
      expect(reason('channel CBAD')).to.match(/^Slack channel CBAD not found: /);
      expect(reason('#kyc')).to.match(/^Slack channel #kyc not found: /);
    });
  });

  describe('Teams (mapTeamsError)', () => {
    const rest = (statusCode: number) => Object.assign(new Error(`answered ${statusCode}`), { name: 'RestError', statusCode });
    const table: Array<[what: string, err: unknown, failure: FailureReason, code: string]> = [
      ['a 429', rest(429), 'rateLimited', 'rateLimited'],
      ['a 412', rest(412), 'serverError', 'serverError'],
      ['a 500', rest(500), 'serverError', 'serverError'],
      ['a 401', rest(401), 'authError', 'authError'],
      ['a 403', rest(403), 'authError', 'authError'],
      ['a 404', rest(404), 'clientError', 'conversationNotFound'],
      ['a 400', rest(400), 'clientError', 'clientError'],
      ['a 409', rest(409), 'clientError', 'clientError'],
      ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'serverError', 'serverError'],
      ['a token request refused', Object.assign(new Error('AADSTS7000215'), { name: 'ServerError', errorCode: 'invalid_client' }), 'authError', 'authError'],
      ['a token request that failed', Object.assign(new Error('upstream'), { name: 'ServerError', errorCode: 'temporarily_unavailable' }), 'authError', 'authError'],
      ['anything else', new Error('boom'), 'other', 'other'],
    ];
    for (const [what, err, failure, code] of table) {
      it(`${what} → ${failure} (code ${code})`, () => {
        expect(failed(mapTeamsError(err, { channelId: '19:abc@thread.tacv2', now: 0 }))).to.deep.equal({ failure, code });
      });
    }
  });
});
