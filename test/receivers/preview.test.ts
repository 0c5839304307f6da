import { expect } from 'chai';
import type { WebClient } from '@slack/web-api';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ReceiverConfigOf } from '../../src/model/config.js';
import { createConsoleReceiver } from '../../src/receivers/console/deliver.js';
import { previewJob, previewReceiver } from '../../src/receivers/preview.js';
import { createSlackReceiver } from '../../src/receivers/slack/deliver.js';
import { createTeamsWorkflowReceiver } from '../../src/receivers/teams-workflow/deliver.js';
import { createWebhookReceiver } from '../../src/receivers/webhook/deliver.js';
import { ctx } from '../helpers/fixtures.js';
import { silentLogger } from '../helpers/logger.js';

const NOW = Date.UTC(2026, 11, 1, 14, 2);

const config: Config = parseConfig(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { check: "https://app.goaver.test/checks/{id}" }
display: { timeZone: Europe/Berlin }
slack: { botToken: xoxb-test }
teams: { appId: "", serviceUrl: "http://127.0.0.1:1/" }
server: { host: 127.0.0.1 }
templates:
  kyc:
    headline: "KYC {{ reference | default: id }} is {{ statusWords }}"
    facts: [{ title: Reason, value: "{{ reason }}" }]
  broken:
    headline: "{% for i in (1..100000000) %}{{ id }}{% endfor %}"
receivers:
  - name: kyc-slack
    template: kyc
    slack: { channel: C0123456789, mention: { Rejected: ["<!subteam^S0123>"] } }
  - name: kyc-teams
    template: kyc
    teams: { channelId: "19:abc@thread.tacv2", mention: { Rejected: ["Lead <29:1abc>"] } }
  - name: ops-workflow
    template: kyc
    teamsWorkflow: { url: "https://flows.example/workflows/abc/invoke?sig=SECRETSIG" }
  - name: audit
    template: kyc
    webhook: { url: "https://audit.example/hook?token=SECRETTOKEN" }
  - name: ops
    template: broken
    console: {}
route:
  receiver: ops
`, 'preview.yaml', {});

const LABELS = { type: 'LiveCheck', status: 'Rejected', id: 'chk-42', groupId: 'grp-eu', group: 'EU onboarding', statusReason: 'ExpiredDocuments', thirdPartyIdentifier: 'cust-00482' };

function rcOf<K extends 'slack' | 'teams' | 'teamsWorkflow' | 'webhook' | 'console'>(name: string, kind: K): ReceiverConfigOf<K> {
  const rc = config.receivers.find((r) => r.name === name);
  if (rc?.kind !== kind) throw new Error(`no ${kind} receiver ${name}`);
  return rc as ReceiverConfigOf<K>;
}

/** What a fetch-based receiver sent: the body of its one request, parsed. */
function capturingFetch(): { fetch: typeof fetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fake = (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return Promise.resolve(new Response(null, { status: 202 }));
  };
  return { fetch: fake, bodies };
}

/** JSON as it goes over the wire (undefined keys dropped). */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('receivers/preview', () => {
  const job = previewJob('x', LABELS, NOW);
  const history = [{ status: 'Rejected', at: NOW }];

  it('Slack: the payload is what the receiver passes to chat.postMessage, template and mentions included', async () => {
    const posted: unknown[] = [];
    const client = { chat: { postMessage: (args: unknown) => { posted.push(args); return Promise.resolve({ ok: true, channel: 'C0123456789', ts: '1.2' }); } } };
    const receiver = createSlackReceiver(rcOf('kyc-slack', 'slack'), { client: client as unknown as WebClient, config, logger: silentLogger });
    expect(await receiver.deliver({ ...job, receiver: 'kyc-slack' }, ctx(null, history))).to.deep.include({ ok: true });
    const preview = (await previewReceiver(config, 'kyc-slack', LABELS, { now: NOW }))!;
    expect(wire(preview.payload)).to.deep.equal(wire(posted[0]));
    expect(preview).to.include({ kind: 'slack', destination: 'chat.postMessage to C0123456789', headline: '🔴 KYC cust-00482 is rejected' });
    expect(preview.text).to.contain('# 🔴 KYC cust-00482 is rejected').and.contain('cc <!subteam^S0123>').and.contain('*Reason:* Documents expired');
    // The Slack date token shows its fallback, in display.timeZone.
    expect(preview.text).to.contain('1 Dec 2026, 15:02 CET');
  });

  it('Teams Workflows: the payload is the body the receiver posts', async () => {
    const { fetch, bodies } = capturingFetch();
    const receiver = createTeamsWorkflowReceiver(rcOf('ops-workflow', 'teamsWorkflow'), { fetch, config, logger: silentLogger });
    expect(await receiver.deliver({ ...job, receiver: 'ops-workflow' }, ctx(null, history))).to.deep.equal({ ok: true });
    const preview = (await previewReceiver(config, 'ops-workflow', LABELS, { now: NOW }))!;
    expect(wire(preview.payload)).to.deep.equal(bodies[0]);
    expect(preview.destination).to.equal('POST https://flows.example/…');
    expect(JSON.stringify(preview)).to.not.contain('SECRETSIG');
    expect(preview.text).to.contain('┃ (style attention)').and.contain('┃ 🔴 KYC cust-00482 is rejected').and.contain('┃ Reason: Documents expired');
    // Adaptive Card date functions, read as a viewer in Berlin would see them.
    expect(preview.text).to.contain('1 Dec 2026, 15:02 CET');
  });

  it('webhook: the payload is the body the receiver posts (no header, no secret of its URL)', async () => {
    const { fetch, bodies } = capturingFetch();
    const receiver = createWebhookReceiver(rcOf('audit', 'webhook'), { fetch, now: () => NOW, config });
    expect(await receiver.deliver({ ...job, receiver: 'audit' }, ctx())).to.deep.equal({ ok: true });
    const preview = (await previewReceiver(config, 'audit', LABELS, { now: NOW }))!;
    expect(wire(preview.payload)).to.deep.equal(bodies[0]);
    expect(JSON.stringify(preview)).to.not.contain('SECRETTOKEN');
    expect((preview.payload as { message: { headline: string } }).message.headline).to.equal('KYC cust-00482 is rejected');
  });

  it('console: the payload is the line the receiver writes; a template that fails shows the default and says why', async () => {
    const lines: string[] = [];
    const receiver = createConsoleReceiver(rcOf('ops', 'console'), { write: (l) => lines.push(l), routedTo: () => ['ops'], config });
    expect(await receiver.deliver({ ...job, receiver: 'ops' }, ctx())).to.deep.equal({ ok: true });
    const preview = (await previewReceiver(config, 'ops', LABELS, { now: NOW, routedTo: ['ops'] }))!;
    expect(wire(preview.payload)).to.deep.equal(JSON.parse(lines[0]));
    expect(preview.headline).to.equal('🔴 Live check rejected: cust-00482 · EU onboarding');
    expect(preview.templateError).to.match(/limit exceeded/);
  });

  it('Teams: the activity holds the card with the template\'s headline and the mention for the status', async () => {
    const preview = (await previewReceiver(config, 'kyc-teams', LABELS, { now: NOW }))!;
    const activity = preview.payload as { type: string; summary: string; attachments: Array<{ contentType: string; content: { body: Array<{ items: Array<{ text?: string }> }>; msteams: { entities?: unknown[] } } }> };
    expect(activity.type).to.equal('message');
    expect(activity.attachments[0].contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(activity.attachments[0].content.body[0].items[0].text).to.equal('🔴 KYC cust-00482 is rejected');
    expect(activity.attachments[0].content.msteams.entities).to.have.length(1);
    expect(activity.summary).to.equal('🔴 KYC cust-00482 is rejected — Documents expired');
    expect(preview.text).to.contain('@Lead');
  });

  it('reads the event from the labels, with defaults for what they leave out, and enrichment labels as details', () => {
    const j = previewJob('x', { warnings: 'SameNameFound, Age', watchlistHits: '2', adverseMediaHits: 'many', checkTypes: 'IdDocument,Selfie' }, NOW);
    expect(j.event).to.include({ type: 'LiveCheck', status: 'Completed', unknownType: false, unknownStatus: false, receivedAt: NOW });
    expect(j.details).to.deep.equal({ available: true, checkTypes: ['IdDocument', 'Selfie'], warnings: ['SameNameFound', 'Age'], watchlistHits: 2 });
    expect(previewJob('x', { type: 'FaceMatch', status: 'Paused' }, NOW).event).to.include({ unknownType: true, unknownStatus: true });
    expect(previewJob('x', {}, NOW).details).to.equal(undefined);
  });

  it('an unknown receiver has no preview', async () => {
    expect(await previewReceiver(config, 'nope', LABELS, { now: NOW })).to.equal(undefined);
  });
});
