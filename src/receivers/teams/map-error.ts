import type { DeliveryResult } from '../receiver.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { truncate } from './format.js';

type Failure = Extract<DeliveryResult, { ok: false }>;

interface ErrorLike {
  name?: string;
  code?: string;
  errorCode?: string;
  statusCode?: number;
  status?: number;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined | null } };
}

const NETWORK_CODES = new Set([
  'REQUEST_SEND_ERROR', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
  'EHOSTUNREACH', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'network_error',
]);

/** What to do after a botbuilder / connector / MSAL error: botbuilder's RestError carries `statusCode` and `response.headers`. */
export function mapTeamsError(err: unknown, where: { channelId: string; now: number }): Failure {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const platform = typeof e.code === 'string' && e.code && !/^\d+$/.test(e.code) ? e.code : undefined;
  const said = truncate(String(e.message ?? err ?? '').replace(/\s+/g, ' ').trim(), 200);
  const detail = [platform, said].filter(Boolean).join(': ');
  const channel = `channel ${where.channelId}`;

  if (status !== undefined) {
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(e.response?.headers?.get?.('retry-after'), where.now);
      return { ok: false, retryable: true, failure: 'rateLimited', code: 'rateLimited', reason: `Teams rate-limited posts to ${channel} (429)`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (status === 412) return { ok: false, retryable: true, failure: 'serverError', code: 'serverError', reason: `Teams answered 412 (precondition failed, usually a busy channel) for ${channel}` };
    if (status >= 500) return { ok: false, retryable: true, failure: 'serverError', code: 'serverError', reason: `Teams answered ${status} for ${channel}: ${detail}` };
    if (status === 401 || status === 403) {
      return {
        ok: false, retryable: false, failure: 'authError', code: 'authError',
        reason: `Teams answered ${status} for ${channel}: the bot was removed from the team or lacks permission (add the bot to the team again; check teams.appId and appPassword)`,
      };
    }
    if (status === 404) return { ok: false, retryable: false, failure: 'clientError', code: 'conversationNotFound', reason: `Teams answered 404 for ${channel}: conversation gone (the channel or the message no longer exists)` };
    if (status === 400) return { ok: false, retryable: false, failure: 'clientError', code: 'clientError', reason: `Teams rejected the card for ${channel} (400${detail ? `: ${detail}` : ''})` };
    return { ok: false, retryable: false, failure: 'clientError', code: 'clientError', reason: `Teams answered ${status} for ${channel}${detail ? `: ${detail}` : ''}` };
  }

  const code = e.code ?? e.errorCode;
  // A RestError without a status never got an HTTP answer: a transport failure.
  if ((code && NETWORK_CODES.has(code)) || (e.name === 'RestError' && code !== 'PARSE_ERROR')) {
    return { ok: false, retryable: true, failure: 'serverError', code: 'serverError', reason: `network error talking to Teams for ${channel}: ${code ?? 'no answer'}` };
  }
  // MSAL: the token request itself failed.
  if (e.name === 'ServerError' || e.name === 'ClientAuthError' || e.name === 'ClientConfigurationError') {
    const msal = e.errorCode ?? 'token_error';
    const bad = /invalid_client|unauthorized_client|invalid_request|invalid_grant|unauthorized/i.test(`${msal} ${said}`);
    return bad
      ? { ok: false, retryable: false, failure: 'authError', code: 'authError', reason: `the bot could not get a token (${msal}): check teams.appId, appPassword, appType and tenantId` }
      : { ok: false, retryable: true, failure: 'authError', code: 'authError', reason: `getting a token for the bot failed (${msal}); will retry` };
  }
  return { ok: false, retryable: false, failure: 'other', code: 'other', reason: `delivering to Teams ${channel} failed: ${detail || 'unknown error'}` };
}
