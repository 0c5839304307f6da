import { expect } from 'chai';
import { FAILURE_REASONS, type FailureReason } from '../../../src/model/failure-reason.js';
import { smtpErrorToResult } from '../../../src/receivers/email/smtp-failure.js';

const WHAT = 'e-mail receiver "mail" (smtp://mail.example.com:587)';

/** An error as nodemailer throws it for a reply to one command. */
function reply(responseCode: number, response: string, command = 'RCPT TO'): Error {
  const permanent = responseCode >= 500 && responseCode !== 503;
  return Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), { code: 'EENVELOPE', responseCode, response, command, permanent });
}

describe('smtpErrorToResult (the retry decision for SMTP)', () => {
  const table: Array<[what: string, err: unknown, retryable: boolean, failure: FailureReason, code: string]> = [
    ['450 mailbox busy', reply(450, '450 4.2.1 Mailbox busy, try again'), true, 'serverError', 'smtp_450'],
    ['451 local error', reply(451, '451 4.3.0 Local error in processing', 'DATA'), true, 'serverError', 'smtp_451'],
    ['421 too many connections', reply(421, '421 4.7.0 Too many connections', 'MAIL FROM'), true, 'rateLimited', 'smtp_421'],
    ['452 insufficient storage', reply(452, '452 4.3.1 Insufficient system storage'), true, 'serverError', 'smtp_452'],
    ['503 bad sequence', reply(503, '503 5.5.1 Bad sequence of commands', 'DATA'), true, 'serverError', 'smtp_503'],
    ['550 unknown recipient', reply(550, '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown'), false, 'clientError', 'smtp_550'],
    ['553 sender refused', reply(553, '553 5.7.1 Sender address rejected: not owned by user', 'MAIL FROM'), false, 'clientError', 'smtp_553'],
    ['552 message too big', reply(552, '552 5.3.4 Message size exceeds fixed limit', 'DATA'), false, 'clientError', 'smtp_552'],
    ['535 login refused', reply(535, '535 5.7.8 Authentication credentials invalid', 'AUTH PLAIN'), false, 'authError', 'smtp_535'],
    ['530 login required', reply(530, '530 5.7.0 Authentication required', 'MAIL FROM'), false, 'authError', 'smtp_530'],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:587'), { code: 'ESOCKET' }), true, 'serverError', 'serverError'],
    ['a closed connection', Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }), true, 'serverError', 'serverError'],
    ['a connection timeout', Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }), true, 'timeout', 'timeout'],
    ['no STARTTLS offered', Object.assign(new Error('No STARTTLS'), { code: 'ETLS' }), true, 'serverError', 'serverError'],
    ['an unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND mail.example.com'), { code: 'EDNS' }), true, 'serverError', 'serverError'],
    ['the delivery timeout (abort)', Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'EABORT' }), true, 'timeout', 'timeout'],
    ['a login refused without a reply code', Object.assign(new Error('Invalid login'), { code: 'EAUTH' }), false, 'authError', 'authError'],
    ['something else', new Error('boom'), false, 'other', 'other'],
  ];
  for (const [what, err, retryable, failure, code] of table) {
    it(`${what} → ${retryable ? 'retried' : 'dead letter'} (${failure}, ${code})`, () => {
      const r = smtpErrorToResult(err, WHAT);
      expect(FAILURE_REASONS).to.include(r.failure);
      expect({ retryable: r.retryable, failure: r.failure, code: r.code }).to.deep.equal({ retryable, failure, code });
      expect(r.reason).to.include(WHAT);
    });
  }

  it('quotes the server\'s reply in the reason, with what to check', () => {
    const r = smtpErrorToResult(reply(550, '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown'), WHAT);
    expect(r.reason).to.equal(`${WHAT}: the SMTP server answered to RCPT TO "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown": check the receiver's addresses`);
    expect(smtpErrorToResult(reply(553, '553 sender refused', 'MAIL FROM:<a@b.c>'), WHAT).reason).to.include('"553 sender refused": check smtp.from');
  });

  it('keeps a long or multi-line reply to one line of at most 300 characters', () => {
    const r = smtpErrorToResult(reply(550, `550-5.7.1 first line\r\n550 5.7.1 ${'x'.repeat(500)}`), WHAT);
    expect(r.reason).to.not.match(/[\r\n]/);
    expect(r.reason).to.include('550-5.7.1 first line 550 5.7.1 xxx');
    expect(r.reason.length).to.be.below(WHAT.length + 380);
  });
});
