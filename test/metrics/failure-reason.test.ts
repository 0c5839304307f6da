import { expect } from 'chai';
import { failureReason, type FailureReason } from '../../src/metrics.js';

describe('failureReason', () => {
  const table: Array<[string, number | undefined, FailureReason]> = [
    ['rateLimited', undefined, 'rateLimited'],
    ['ratelimited', undefined, 'rateLimited'],
    ['other', 429, 'rateLimited'],
    ['timeout', undefined, 'timeout'],
    ['authError', undefined, 'authError'],
    ['invalid_auth', undefined, 'authError'],
    ['not_authed', undefined, 'authError'],
    ['token_revoked', undefined, 'authError'],
    ['account_inactive', undefined, 'authError'],
    ['missing_scope', undefined, 'authError'],
    ['other', 401, 'authError'],
    ['other', 403, 'authError'],
    ['serverError', undefined, 'serverError'],
    ['networkError', undefined, 'serverError'],
    ['internal_error', undefined, 'serverError'],
    ['request_timeout', undefined, 'serverError'],
    ['other', 502, 'serverError'],
    ['clientError', undefined, 'clientError'],
    ['channel_not_found', undefined, 'clientError'],
    ['not_in_channel', undefined, 'clientError'],
    ['is_archived', undefined, 'clientError'],
    ['msg_too_long', undefined, 'clientError'],
    ['invalid_blocks', undefined, 'clientError'],
    ['channelNotFound', undefined, 'clientError'],
    ['conversationNotFound', undefined, 'clientError'],
    ['configError', undefined, 'clientError'],
    ['other', 404, 'clientError'],
    ['other', undefined, 'other'],
    ['something_new', undefined, 'other'],
  ];
  for (const [code, status, reason] of table) {
    it(`maps ${code}${status ? ` (HTTP ${status})` : ''} to ${reason}`, () => {
      expect(failureReason(code, status)).to.equal(reason);
    });
  }
});
