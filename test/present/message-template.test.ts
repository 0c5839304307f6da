import { expect } from 'chai';
import type { MessageTemplateConfig } from '../../src/model/config.js';
import type { EventDetails } from '../../src/model/event.js';
import { buildMessage, headlineLine, pushLine, type Message } from '../../src/present/message.js';
import { compileMessageTemplate, renderMessageTemplate, TEMPLATE_LIMITS } from '../../src/present/message-template.js';
import { receiverMessage } from '../../src/present/receiver-message.js';
import { TEMPLATE_VARIABLES, templateVariables } from '../../src/present/template-variables.js';
import { formatSlackMessage } from '../../src/receivers/slack/format.js';
import { formatTeamsCard } from '../../src/receivers/teams/format.js';
import { testConfig } from '../helpers/config.js';
import { event, job, labelsOf } from '../helpers/fixtures.js';
import { memoryLogger } from '../helpers/logger.js';

const config = testConfig();

function message(status = 'Rejected', over: { id?: string; groupId?: string; details?: EventDetails } = {}): Message {
  const e = event(status, { ...(over.id ? { id: over.id } : {}), ...(over.groupId ? { groupId: over.groupId } : {}) });
  return buildMessage({ event: e, labels: labelsOf(e), details: over.details, history: [{ status, at: e.receivedAt }], config });
}

/** Compiles (expecting no problem) and renders. */
function render(source: MessageTemplateConfig, m: Message = message()): Message {
  const { template, problems } = compileMessageTemplate(source);
  expect(problems).to.deep.equal([]);
  return renderMessageTemplate(template, m, { ...labelsOf(event()), checkTypes: 'IdDocument,Selfie' });
}

const details: EventDetails = { available: true, statusReason: 'ExpiredDocuments', warnings: ['SameNameFound', 'Age'], thirdPartyIdentifier: 'cust-00482' };

describe('present/message-template', () => {
  it('replaces the headline: "KYC {{ id }} is {{ status }}"', () => {
    const m = render({ headline: 'KYC {{ id }} is {{ status }}' });
    expect(m.headline).to.equal('KYC chk-1 is Rejected');
    expect(headlineLine(m)).to.equal('🔴 KYC chk-1 is Rejected');
    // Without a text of its own, the push line starts with the template's headline; the other parts are the built ones.
    expect(m.text).to.equal('KYC chk-1 is Rejected');
    expect(render({ headline: 'KYC {{ id }}' }, message('Rejected', { details })).text).to.equal('KYC chk-1 — Documents expired');
    expect(m.facts).to.deep.equal(message().facts);
    expect(m.severity).to.equal('attention');
  });

  it('replaces the text and the facts; every documented variable has a value', () => {
    const m = render(
      {
        text: '{{ typeWords }} {{ statusWords }} for {{ reference }} ({{ group }}): {{ reason }}; {{ warnings | join: ", " }}',
        facts: [
          { title: 'Reference', value: '{{ reference }}' },
          { title: 'Checks', value: '{{ labels.checkTypes }}' },
          { title: 'Hits', value: '{{ watchlistHits }}' },
        ],
      },
      message('Rejected', { details }),
    );
    expect(m.text).to.equal('Live check rejected for cust-00482 (Acme onboarding): Documents expired; Same name used in another check, Age outside the range the group allows');
    expect(pushLine(m)).to.equal(`🔴 ${m.text}`);
    // A fact whose value renders empty (no hit counts here) is left out.
    expect(m.facts).to.deep.equal([{ title: 'Reference', value: 'cust-00482' }, { title: 'Checks', value: 'IdDocument,Selfie' }]);
    const vars = templateVariables(message('Rejected', { details }), {});
    expect(Object.keys(vars).sort()).to.deep.equal(TEMPLATE_VARIABLES.map((v) => v.name).sort());
  });

  it('an empty headline or text keeps the built one; facts: [] leaves none', () => {
    const m = render({ headline: '{{ reference }}', text: '  ', facts: [] });
    expect(m.headline).to.equal(message().headline);
    expect(m.text).to.equal(message().text);
    expect(m.facts).to.deep.equal([]);
  });

  it('writes plain text on one line, cut to its limit', () => {
    const m = render({ headline: '{{ id }}\n\n   is\t{{ status }}\n', text: '{% for i in (1..2000) %}x{% endfor %}' });
    expect(m.headline).to.equal('chk-1 is Rejected');
    expect(Array.from(m.text)).to.have.length(TEMPLATE_LIMITS.text);
    expect(m.text.endsWith('…')).to.equal(true);
  });

  it('reads own properties only: {{ id.constructor }} and {{ labels.__proto__ }} are empty', () => {
    expect(render({ headline: 'a{{ id.constructor }}{{ labels.__proto__ }}{{ labels.toString }}b' }).headline).to.equal('ab');
  });

  it('throws when a render limit is reached (the caller falls back)', () => {
    const { template } = compileMessageTemplate({ headline: '{% for i in (1..100000000) %}{{ id }}{% endfor %}' });
    expect(() => renderMessageTemplate(template, message())).to.throw(/limit exceeded/);
  });

  describe('hostile values inside a template are escaped by every renderer', () => {
    const hostile = message('Rejected', { id: '<!channel> <at>Boss</at> *bold* [x](https://evil.example) &amp;', groupId: '_g_ <!here>' });
    const m = render({ headline: 'KYC {{ id }} in {{ groupId }}', text: '{{ id }}', facts: [{ title: '{{ id }}', value: '{{ groupId }}' }] }, hostile);

    it('Slack: no mention, link or formatting gets through', () => {
      const { text, blocks, attachments } = formatSlackMessage(m);
      expect(JSON.stringify(blocks)).to.not.match(/<!channel>|<!here>|<https?:/);
      // The mrkdwn parts: everything but the header (plain_text, where markers are literal) and the button's URL.
      const slack = JSON.stringify([text, attachments[0].fallback, attachments[0].blocks?.filter((b) => b.type !== 'actions')]);
      expect(slack).to.not.match(/<!channel>|<!here>|<https?:|https:\/\/evil/);
      expect(slack).to.not.contain('*bold*');
      expect(slack).to.contain('&lt;!channel&gt;').and.contain('&lt;!here&gt;');
      // The literal "&amp;" shows as written: its & is escaped again.
      expect(slack).to.contain('&amp;amp;');
    });

    it('Teams: no <at> mention, link or Markdown gets through', () => {
      // The card's body (its fallbackText is plain text, its action's URL encoded).
      const card = JSON.stringify(formatTeamsCard(m).body);
      expect(card).to.not.match(/<at>|\[x\]\(https/);
      expect(card).to.contain('‹at›Boss‹/at›');
      expect(card).to.contain('\\\\*bold\\\\*');
    });

    it('a template\'s own markup is plain text too: it cannot mention anyone', () => {
      const own = render({ headline: '<!channel> *urgent* <at>All</at>' });
      expect(JSON.stringify(formatSlackMessage(own))).to.not.contain('<!channel>');
      expect(JSON.stringify(formatTeamsCard(own))).to.not.contain('<at>');
    });
  });
});

describe('present/receiver-message', () => {
  const templates = { short: { headline: 'KYC {{ id }} is {{ status }}' }, looping: { headline: '{% for i in (1..100000000) %}x{% endfor %}' } };
  const withTemplates = { ...config, templates };

  it('applies the receiver\'s template; a receiver without one gets the built message', () => {
    const logs = memoryLogger();
    const ctx = { history: [], logger: logs.logger };
    expect(receiverMessage(job(), ctx, withTemplates, { name: 'ops', template: 'short' }).headline).to.equal('KYC chk-1 is Completed');
    expect(receiverMessage(job(), ctx, withTemplates, { name: 'ops' }).headline).to.equal(message('Completed').headline);
  });

  it('a render error sends the default message and warns once per template until the config is reloaded', () => {
    const logs = memoryLogger();
    const ctx = { history: [], logger: logs.logger };
    const first = receiverMessage(job(), ctx, withTemplates, { name: 'ops', template: 'looping' });
    const second = receiverMessage(job(event('Failed')), ctx, withTemplates, { name: 'ops', template: 'looping' });
    expect(first.headline).to.equal(message('Completed').headline);
    expect(second.headline).to.equal(message('Failed').headline);
    const warnings = logs.records().filter((r) => r.level === 40);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ receiver: 'ops', template: 'looping' });
    expect(warnings[0].reason).to.match(/limit exceeded/);
    // A reloaded config is a new templates object: its first failure is logged again.
    receiverMessage(job(), ctx, { ...config, templates: { ...templates } }, { name: 'ops', template: 'looping' });
    expect(logs.records().filter((r) => r.level === 40)).to.have.length(2);
  });
});
