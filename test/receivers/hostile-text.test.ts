import { expect } from 'chai';
import { escapeSlack, escapeSlackCode, fit } from '../../src/receivers/slack/format.js';
import { escapeTeamsText } from '../../src/receivers/teams/format.js';
import { inertLinks } from '../../src/receivers/inert-links.js';

/**
 * Hostile strings as they could arrive in an id, a reference or a reason, and what Slack's mrkdwn must show:
 * the same characters, none of them formatting, quoting, linking or mentioning.
 */
const SLACK: Array<[string, string]> = [
  ['*bold*', '∗bold∗'],
  ['_italic_', 'ˍitalicˍ'],
  ['~strike~', '∼strike∼'],
  ['`code`', 'ˋcodeˋ'],
  ['```block```', 'ˋˋˋblockˋˋˋ'],
  ['_*both*_', 'ˍ∗both∗ˍ'],
  ['x *y* z', 'x ∗y∗ z'],
  ['> quote', '\u00ad&gt; quote'],
  ['>>> all of it', '\u00ad&gt;&gt;&gt; all of it'],
  ['  > indented', '  \u00ad&gt; indented'],
  ['a\n> second line', 'a &gt; second line'],
  ['https://evil.example/login?a=1&b=2', 'https:∕∕evil․example∕login?a=1&amp;b=2'],
  ['see http://10.0.0.1:8080/x now', 'see http:∕∕10․0․0․1:8080∕x now'],
  ['www.evil.example', 'www․evil․example'],
  ['evil.example', 'evil․example'],
  ['mail boss@evil.example', 'mail boss@evil․example'],
  ['<https://evil.example|Aver>', '&lt;https:∕∕evil․example|Aver&gt;'],
  ['<!channel> <@U123> <#C123>', '&lt;!channel&gt; &lt;@U123&gt; &lt;#C123&gt;'],
  ['&lt;!here&gt;', '&amp;lt;!here&amp;gt;'],
];

/** What must come through unchanged: ordinary ids and references stay exactly copyable. */
const PLAIN = ['51771bd7-a5b5-4ab9-913c-f1dc15429f11', 'cust_00482', 'branch-17/7731', 'v1.2.3', 'a*b', 'snake_case_id', 'chk-1', 'Ölçü 12'];

/** Turns the stand-ins back into what they stand for: a reader sees (and reads) the original. */
function reading(s: string): string {
  return s
    .replace(/\u00ad/g, '')
    .replace(/∗/g, '*').replace(/ˍ/g, '_').replace(/∼/g, '~').replace(/ˋ/g, '`').replace(/․/g, '.').replace(/∕/g, '/')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Anything Slack would still act on: a marker at a word boundary, a quote, raw `<` `>`, a link-like word. */
function activeInSlack(s: string): string[] {
  const found: string[] = [];
  if (/(^|[^A-Za-z0-9])[*_~`]|[*_~`]($|[^A-Za-z0-9])/.test(s)) found.push('marker');
  if (/^\s*(&gt;|>)/.test(s)) found.push('quote');
  if (/[<>]/.test(s.replace(/&(lt|gt|amp);/g, ''))) found.push('angle bracket');
  if (/:\/\/|www\.|[\p{L}\p{N}_-]\.\p{L}{2,}/iu.test(s)) found.push('link');
  return found;
}

describe('escapeSlack and fit: hostile text renders literally in mrkdwn', () => {
  for (const [raw, shown] of SLACK) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(shown)}`, () => {
      const out = escapeSlack(raw);
      expect(out).to.equal(shown);
      expect(activeInSlack(out)).to.deep.equal([]);
      expect(reading(out)).to.equal(raw.replace(/\n/g, ' '));
      expect(fit(raw, 500)).to.equal(shown);
    });
  }

  for (const raw of PLAIN) it(`leaves ${JSON.stringify(raw)} exactly as it is`, () => expect(escapeSlack(raw)).to.equal(raw));

  it('fit never cuts an entity or leaves a marker active when it truncates', () => {
    const out = fit('*'.repeat(50) + '<'.repeat(50), 60);
    expect(out.endsWith('…')).to.equal(true);
    expect(out).to.not.match(/&[a-z]*…$/);
    expect(activeInSlack(out)).to.deep.equal([]);
  });

  it('escapeSlackCode keeps markers literal inside a code span and closes no span early', () => {
    expect(escapeSlackCode('status =~ ".*_x" `y` <z>')).to.equal('status =~ ".*_x" ˋyˋ &lt;z&gt;');
  });
});

describe('escapeTeamsText: hostile text renders literally in Adaptive Card markdown', () => {
  const TEAMS: Array<[string, string]> = [
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['_italic_', '\\_italic\\_'],
    ['~~strike~~', '\\~\\~strike\\~\\~'],
    ['`code`', '\\`code\\`'],
    ['> quote', '› quote'],
    ['# heading', '\\# heading'],
    ['[Aver](https://evil.example)', '\\[Aver\\](https:∕∕evil․example)'],
    ['https://evil.example/x', 'https:∕∕evil․example∕x'],
    ['www.evil.example', 'www․evil․example'],
    ['boss@evil.example', 'boss@evil․example'],
    ['<at>Everyone</at>', '‹at›Everyone‹/at›'],
  ];
  for (const [raw, shown] of TEAMS) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(shown)}`, () => {
      const out = escapeTeamsText(raw, 500);
      expect(out).to.equal(shown);
      expect(out).to.not.match(/:\/\/|www\.|[\p{L}\p{N}_-]\.\p{L}{2,}/iu);
      // Every Markdown special is escaped.
      expect(out.replace(/\\[\\`*_[\]~|{}#]/g, '')).to.not.match(/[\\`*_[\]~|{}<>]/);
    });
  }

  for (const raw of PLAIN.filter((p) => !/[*_]/.test(p))) it(`leaves ${JSON.stringify(raw)} exactly as it is`, () => expect(escapeTeamsText(raw)).to.equal(raw));
});

describe('inertLinks', () => {
  it('changes only words a chat client would link', () => {
    expect(inertLinks('id cust.00482 v2.0 see evil.example and https://x/y')).to.equal('id cust.00482 v2.0 see evil․example and https:∕∕x∕y');
  });
});
