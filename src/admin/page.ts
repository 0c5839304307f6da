import { KNOWN_STATUSES, KNOWN_TYPES } from '../model/event.js';
import { describeTimers } from '../routing/test-route.js';
import { formatMs } from './config-summary.js';
import { html, raw, timeAgo, type SafeHtml } from './html.js';
import type { ReceiverPreview } from './route-test.js';
import { REFERENCE_SEARCH_WINDOW, type AdminView, type DeliveryView, type EventView } from './view.js';
import type { CheckActionRecord } from '../model/check-state.js';

// Inline, no build step, no CDN: the page must work on an air-gapped network.
const CSS = raw(`
:root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e3e6eb; --accent:#2f5bd3;
  --ok:#127a3e; --ok-bg:#e3f5ea; --warn:#8a5a00; --warn-bg:#fff2d6; --bad:#b42318; --bad-bg:#fde8e6; --info:#1f4fa8; --info-bg:#e5edfb; --mute-bg:#eef0f3; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
header.top { background:#18202f; color:#fff; padding:10px 24px; display:flex; align-items:center; gap:16px; flex-wrap:wrap; }
header.top h1 { font-size:17px; margin:0; font-weight:600; letter-spacing:.2px; }
header.top .meta { color:#b8c0d0; font-size:13px; }
header.top .spacer { flex:1; }
header.top a, header.top button.link { color:#fff; text-decoration:none; font:inherit; background:none; border:1px solid #46506a; border-radius:6px; padding:4px 10px; cursor:pointer; }
header.top form { margin:0; }
main { max-width:1440px; margin:0 auto; padding:16px 24px 40px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 18px; margin-bottom:16px; }
h2 { font-size:15px; margin:0 0 10px; display:flex; align-items:center; gap:10px; }
h2 .count { font-weight:500; color:var(--muted); font-size:13px; }
h3 { font-size:13px; margin:14px 0 6px; color:var(--muted); text-transform:uppercase; letter-spacing:.5px; }
.stats { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px; margin-bottom:16px; }
.stat { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--line); border-radius:10px; padding:10px 14px; }
.stat .n { font-size:22px; font-weight:650; }
.stat .l { color:var(--muted); font-size:12.5px; }
.stat.ok { border-left-color:var(--ok); } .stat.warn { border-left-color:#e0a100; } .stat.bad { border-left-color:var(--bad); }
table { width:100%; border-collapse:collapse; }
th { text-align:left; font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.4px; padding:6px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
td { padding:8px; border-bottom:1px solid var(--line); vertical-align:top; }
tr:last-child td { border-bottom:none; }
tbody tr:hover { background:#fafbfc; }
.mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.small { font-size:12.5px; color:var(--muted); }
.nowrap { white-space:nowrap; }
.wrap { overflow-wrap:anywhere; }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12.5px; font-weight:600; white-space:nowrap; }
.ok { color:var(--ok); } .badge.ok, .chip.ok { background:var(--ok-bg); color:var(--ok); }
.badge.warn, .chip.warn { background:var(--warn-bg); color:var(--warn); }
.bad { color:var(--bad); } .badge.bad, .chip.bad { background:var(--bad-bg); color:var(--bad); }
.badge.info, .chip.info { background:var(--info-bg); color:var(--info); }
.badge.mute, .chip.mute { background:var(--mute-bg); color:var(--muted); }
.chips { display:flex; flex-direction:column; gap:4px; }
.chip { display:inline-block; border-radius:6px; padding:2px 8px; font-size:12.5px; width:fit-content; max-width:100%; }
.chip b { font-weight:650; }
.chip .why { display:block; font-weight:400; opacity:.9; overflow-wrap:anywhere; }
button, .button { font:inherit; font-size:13px; border:1px solid var(--accent); background:var(--accent); color:#fff; border-radius:6px; padding:4px 12px; cursor:pointer; }
button.secondary { background:#fff; color:var(--accent); }
button:hover { filter:brightness(1.08); }
form.inline { display:inline; margin:0; }
.banner { border-radius:8px; padding:10px 14px; margin-bottom:16px; border:1px solid; }
.banner.ok { background:var(--ok-bg); border-color:#b5e2c4; }
.banner.bad { background:var(--bad-bg); border-color:#f5c2bc; white-space:pre-wrap; }
.grid2 { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,1fr); gap:16px; align-items:start; }
@media (max-width:1100px) { .grid2 { grid-template-columns:1fr; } }
.grid2 > section.card { margin-bottom:0; }
label { display:block; font-size:12.5px; color:var(--muted); font-weight:600; margin-bottom:3px; }
input[type=text], input[type=search], input[type=password], textarea { width:100%; font:inherit; padding:6px 8px; border:1px solid #cfd4dc; border-radius:6px; background:#fff; }
textarea { min-height:56px; font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.fields { display:grid; grid-template-columns:1fr 1fr; gap:10px 12px; margin-bottom:10px; }
.fields .full { grid-column:1 / -1; }
.result { margin-top:14px; padding-top:12px; border-top:1px dashed var(--line); }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:4px 14px; margin:0; }
dl.kv dt { color:var(--muted); } dl.kv dd { margin:0; overflow-wrap:anywhere; }
ul.tree { list-style:none; padding:0; margin:0; }
ul.tree li { padding:3px 0; border-bottom:1px dotted var(--line); }
.empty { color:var(--muted); padding:6px 0; }
form.search { display:flex; gap:8px; align-items:center; flex-wrap:wrap; margin:0 0 12px; }
form.search input[type=search] { flex:1 1 200px; width:auto; max-width:520px; }
header.top a.on { background:var(--accent); border-color:var(--accent); }
/* A phone (375 px): tables become stacked rows, each cell under its column's name, so nothing runs off the side. */
@media (max-width:720px) {
  header.top { padding:8px 12px; gap:8px; }
  main { padding:10px 10px 32px; }
  section.card { padding:12px; }
  h2 { flex-wrap:wrap; gap:2px 10px; }
  .fields { grid-template-columns:1fr; }
  dl.kv { grid-template-columns:1fr; gap:0; } dl.kv dd { margin-bottom:6px; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display:block; width:100%; }
  table.stack thead { display:none; }
  table.stack tr { padding:8px 0; border-bottom:1px solid var(--line); }
  table.stack tr:last-child { border-bottom:none; }
  table.stack td { border:none; padding:2px 0; }
  table.stack td[data-label] { position:relative; padding-left:92px; min-height:22px; }
  table.stack td[data-label]::before { content:attr(data-label); position:absolute; left:0; width:84px; color:var(--muted); font:12px/1.9 system-ui,sans-serif; white-space:normal; }
}
.preview { margin:8px 0 12px; }
.preview pre { background:var(--mute-bg); border-radius:6px; padding:8px 10px; margin:6px 0; white-space:pre-wrap; overflow-wrap:anywhere; }
`);

const STATUS_TONE: Record<string, string> = {
  Completed: 'ok', Rejected: 'bad', Failed: 'bad', Error: 'bad', AwaitingReview: 'warn', InReview: 'warn',
  Created: 'info', AwaitingUser: 'info', AwaitingAutomation: 'info', Canceled: 'mute',
};

function layout(title: string, body: SafeHtml, header: SafeHtml = html``, refresh?: { seconds: number; url: string }): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">${refresh ? html`<meta http-equiv="refresh" content="${refresh.seconds}; url=${refresh.url}">` : ''}<title>${title}</title><style>${CSS}</style></head>
<body>${header}${body}</body></html>`;
}

/** The login form: the admin token in, a session cookie out. */
export function renderLoginPage(options: { error?: string }): SafeHtml {
  return layout('aver-bridge admin: log in', html`
<main style="max-width:420px;padding-top:12vh">
  <section class="card">
    <h2>aver-bridge admin</h2>
    ${options.error ? html`<div class="banner bad" role="alert">${options.error}</div>` : ''}
    <form method="post" action="/admin/login">
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
      <p class="small">The value of <span class="mono">admin.token</span> (or the file <span class="mono">admin.tokenFile</span> names) in the bridge's config.</p>
      <button type="submit">Log in</button>
    </form>
  </section>
</main>`);
}

function statusBadge(status: string, unknown: boolean): SafeHtml {
  // Keyed by the webhook's status: own keys only, so "toString" is just an undocumented status.
  return html`<span class="badge ${Object.hasOwn(STATUS_TONE, status) ? STATUS_TONE[status] : 'mute'}" title="${unknown ? 'not a status Aver documents' : ''}">${status || '(none)'}</span>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function deliveryChip(d: DeliveryView, now: number): SafeHtml {
  if (d.state === 'done') return html`<span class="chip ok" data-job-id="${d.jobId}"><b>${d.receiver}</b> · delivered · ${plural(d.attempts, 'attempt')}</span>`;
  if (d.state === 'dead') {
    return html`<span class="chip bad" data-job-id="${d.jobId}"><b>${d.receiver}</b> · dead letter · ${plural(d.attempts, 'attempt')}<span class="why">${d.lastReason ?? ''}</span></span>`;
  }
  const when = d.nextAttemptAt > now ? html` · next ${timeAgo(d.nextAttemptAt, now)}` : '';
  if (d.attempts === 0) return html`<span class="chip info" data-job-id="${d.jobId}"><b>${d.receiver}</b> · queued${when}</span>`;
  return html`<span class="chip warn" data-job-id="${d.jobId}"><b>${d.receiver}</b> · retrying · ${plural(d.attempts, 'attempt')}${when}<span class="why">${d.lastReason ?? ''}</span></span>`;
}

function eventRow(e: EventView, now: number): SafeHtml {
  const ev = e.stored.event;
  const deliveries = !e.stored.routed
    ? html`<span class="chip mute">not routed yet</span>`
    : e.deliveries.length === 0
      ? html`<span class="chip mute">no receiver matched</span>`
      : e.deliveries.map((d) => deliveryChip(d, now));
  const group = e.stored.labels?.group && e.stored.labels.group !== ev.groupId ? e.stored.labels.group : null;
  return html`<tr data-event-id="${ev.eventId}">
  <td class="nowrap" data-label="Received">${timeAgo(ev.receivedAt, now)}</td>
  <td data-label="Entity"><div>${ev.type}${ev.unknownType ? html` <span class="small">(unknown type)</span>` : ''}</div><div class="mono wrap">${ev.id}</div></td>
  <td data-label="Group">${group ? html`<div>${group}</div>` : ''}<div class="mono small wrap">${ev.groupId}</div></td>
  <td data-label="Aver status">${statusBadge(ev.status, ev.unknownStatus)}</td>
  <td data-label="Deliveries"><div class="chips">${deliveries}${e.actions.map((a) => actionChip(a, now))}</div></td>
  <td class="mono small wrap" data-label="Event id">${ev.eventId}</td>
</tr>`;
}

const ACTION_WORDS: Readonly<Record<CheckActionRecord['kind'], string>> = { acknowledge: 'Acknowledged', assign: 'Assigned', unassign: 'Unassigned' };

/** One audit entry: "Acknowledged by dana (Slack) · 2 min ago", then from where and how. */
function actionChip(a: CheckActionRecord, now: number): SafeHtml {
  const platform = a.actor.platform === 'slack' ? 'Slack' : 'Teams';
  const to = a.kind === 'assign' && a.assignee ? html` to <b>${a.assignee.name}</b>` : '';
  return html`<span class="chip info" data-action-id="${a.id}"><b>${ACTION_WORDS[a.kind]}</b>${to} by <b>${a.actor.name}</b> (${platform}) · ${timeAgo(a.at, now)}<span class="why">${a.via === 'button' ? 'button' : 'command'} in ${a.receiver} (${a.channel})</span></span>`;
}

/** How often the page reloads itself once Auto-refresh is on. */
const AUTO_REFRESH_SECONDS = 5;

/** The page's own URL with the search and auto-refresh kept (a notice or the route tester's input left out). */
function pageUrl(search: string | undefined, refreshSeconds?: number): string {
  const query = new URLSearchParams();
  if (search) query.set('q', search);
  if (refreshSeconds) query.set('refresh', String(refreshSeconds));
  const q = query.toString();
  return q ? `/admin?${q}` : '/admin';
}

function searchForm(v: AdminView): SafeHtml {
  return html`<form class="search" method="get" action="/admin#events" role="search">
  ${v.refreshSeconds ? html`<input type="hidden" name="refresh" value="${v.refreshSeconds}">` : ''}
  <input type="search" name="q" value="${v.search ?? ''}" placeholder="Check id, event id or customer reference" aria-label="Check id, event id or customer reference" maxlength="200">
  <button type="submit">Search</button>
  ${v.search ? html`<a href="${pageUrl(undefined, v.refreshSeconds)}#events">Show all</a>` : ''}
</form>`;
}

function eventsSection(v: AdminView): SafeHtml {
  const empty = v.search
    ? html`<p class="empty">No event has the check id or event id <span class="mono">${v.search}</span>, and none of the latest ${REFERENCE_SEARCH_WINDOW} has a customer reference containing it.</p>`
    : html`<p class="empty">No events yet. Aver posts to <span class="mono">${v.config.webhook.path}</span>.</p>`;
  const body = v.events.length === 0
    ? empty
    : html`<table class="stack"><thead><tr><th>Received</th><th>Entity</th><th>Group</th><th>Aver status</th><th>Deliveries</th><th>Event id</th></tr></thead>
<tbody>${v.events.map((e) => eventRow(e, v.now))}</tbody></table>`;
  const count = v.search ? `${plural(v.events.length, 'event')} found, newest first` : `newest first, last ${v.events.length}`;
  return html`<section class="card" id="events"><h2>${v.search ? 'Events found' : 'Recent events'} <span class="count">${count}</span></h2>${searchForm(v)}${body}</section>`;
}

/** Deliveries held by a muted time interval: sent when it ends, never dropped. */
function heldSection(v: AdminView): SafeHtml {
  const held = v.held ?? [];
  if (held.length === 0) return html``;
  return html`<section class="card" id="held"><h2>Held by a time interval <span class="count">${held.length}</span></h2>
<table><thead><tr><th>Receiver</th><th>Check</th><th>Event</th><th>Route</th><th>Goes out</th></tr></thead><tbody>
${held.map((h) => html`<tr><td>${h.receiver}</td><td class="mono">${h.entityKey}</td><td class="mono small">${h.eventId}</td><td class="mono small">${h.routePath}</td><td>${new Date(h.until).toISOString()}</td></tr>`)}
</tbody></table></section>`;
}

function deadLettersSection(v: AdminView): SafeHtml {
  const csrf = html`<input type="hidden" name="csrf" value="${v.csrf}">`;
  const body = v.deadLetters.length === 0
    ? html`<p class="empty">No dead letters: every delivery went through or is still being tried.</p>`
    : html`<table class="stack"><thead><tr><th>Job</th><th>Failed</th><th>Receiver</th><th>Event</th><th>Attempts</th><th>Reason</th><th></th></tr></thead><tbody>
${v.deadLetters.map((j) => html`<tr data-job-id="${j.id}">
  <td class="mono" data-label="Job">#${j.id}</td>
  <td class="nowrap" data-label="Failed">${timeAgo(j.updatedAt, v.now)}</td>
  <td data-label="Receiver"><b>${j.receiver}</b></td>
  <td data-label="Event"><div>${j.event.type} ${statusBadge(j.event.status, j.event.unknownStatus)}</div><div class="mono small wrap">${j.event.id}</div></td>
  <td data-label="Attempts">${j.attempts}</td>
  <td class="wrap bad" data-label="Reason">${j.lastReason ?? ''}</td>
  <td><form class="inline" method="post" action="/admin/dead-letters/${j.id}/retry">${csrf}<button type="submit" aria-label="Retry dead letter ${j.id}">Retry</button></form></td>
</tr>`)}</tbody></table>
<form method="post" action="/admin/dead-letters/retry-all" style="margin-top:10px">${csrf}<button type="submit" class="secondary">Retry all dead letters</button></form>`;
  return html`<section class="card" id="dead-letters"><h2>Dead letters <span class="count">${v.deadLetters.length}</span></h2>${body}</section>`;
}

function options(values: readonly string[]): SafeHtml[] {
  return values.map((s) => html`<option value="${s}"></option>`);
}

/** What each receiver reached would post, as `aver-bridge preview` shows it: the text, and the JSON payload folded. */
function previewsBlock(previews: ReceiverPreview[]): SafeHtml {
  if (previews.length === 0) return html``;
  return html`<h3>Preview</h3>
<div class="small">What each receiver would post as its first message about this check (blank type, status and id read as LiveCheck, Completed and a sample id), the same as <span class="mono">aver-bridge preview</span>. Nothing is sent.</div>
${previews.map((p) => html`<div class="preview" id="preview-${p.receiver}">
  <div><b>${p.receiver}</b> <span class="badge mute">${p.kind}</span> <span class="small">${p.destination}</span></div>
  ${p.templateError ? html`<div class="banner bad">Its template failed, so the default message would be sent: ${p.templateError}</div>` : ''}
  <pre class="mono">${p.text}</pre>
  <details><summary class="small">JSON payload</summary><pre class="mono">${JSON.stringify(p.payload, null, 2)}</pre></details>
</div>`)}`;
}

function testerSection(v: AdminView): SafeHtml {
  const input = v.tester?.input ?? {};
  const result = v.tester?.result;
  const bad = v.tester?.bad ?? [];
  const field = (name: string, labelText: string, list?: string) =>
    html`<div><label for="rt-${name}">${labelText}</label><input type="text" id="rt-${name}" name="${name}" value="${input[name] ?? ''}"${list ? html` list="${list}"` : ''}></div>`;
  const out = result
    ? html`<div class="result" id="route-result">
  ${bad.length ? html`<div class="banner bad">Ignored (not name=value): ${bad.join(', ')}</div>` : ''}
  <h3>Receivers</h3>
  <div id="route-receivers">${result.receivers.length ? result.receivers.map((r) => html`<span class="badge info">${r}</span> `) : html`<span class="empty">none</span>`}</div>
  <h3>Path</h3>
  <table><thead><tr><th>Receiver</th><th>Node</th><th>Matchers</th><th>Grouping, intervals, reminders</th></tr></thead><tbody>
  ${result.routes.map((r) => html`<tr><td><b>${r.receiver}</b></td><td class="mono">${r.path}</td><td class="mono small">${r.matchers.join(', ') || '(matches everything)'}</td><td class="small route-timers">${describeTimers(r.timers) || 'one by one, at once'}</td></tr>`)}
  </tbody></table>
  <h3>Labels used</h3>
  <div class="mono small wrap">${Object.entries(result.labels).map(([k, val]) => `${k}="${val}"`).join('  ')}</div>
  ${previewsBlock(v.tester?.previews ?? [])}
</div>`
    : '';
  return html`<section class="card" id="route-tester"><h2>Route tester <span class="count">same logic as <span class="mono">aver-bridge routes test</span></span></h2>
<form method="get" action="/admin#route-tester">
  <input type="hidden" name="rt" value="1">
  <div class="fields">
    ${field('type', 'Type', 'rt-types')}
    ${field('status', 'Status', 'rt-statuses')}
    ${field('groupId', 'Group id', 'rt-groups')}
    ${field('id', 'Entity id')}
    <div class="full"><label for="rt-labels">Other labels (name=value, one a line), as enrichment adds</label><textarea id="rt-labels" name="labels">${input.labels ?? ''}</textarea></div>
  </div>
  <datalist id="rt-types">${options(KNOWN_TYPES)}</datalist>
  <datalist id="rt-statuses">${options(KNOWN_STATUSES)}</datalist>
  <datalist id="rt-groups">${options(v.groupIds)}</datalist>
  <button type="submit">Test route</button>
</form>${out}</section>`;
}

function configSection(v: AdminView): SafeHtml {
  const c = v.config;
  const reload = v.reload.successful
    ? html`<span class="ok">succeeded</span>${v.reload.at ? html` ${timeAgo(v.reload.at, v.now)}` : ''}`
    : html`<span class="bad">failed: the previous config is still in use (see the logs)</span>`;
  return html`<section class="card" id="config"><h2>Configuration <span class="count">secrets are never shown</span></h2>
<dl class="kv">
  <dt>File</dt><dd class="mono">${c.file}</dd>
  <dt>Hash</dt><dd class="mono">${c.hash}</dd>
  <dt>Last reload</dt><dd>${reload}</dd>
  <dt>Webhook</dt><dd><span class="mono">POST ${c.webhook.path}</span>, ${c.webhook.allowUnauthenticated ? html`<span class="bad">no secret required</span>` : html`header <span class="mono">${c.webhook.header}</span>, ${plural(c.webhook.secrets, 'secret')}`}, duplicates within ${formatMs(c.webhook.dedupWindowMs)}</dd>
  <dt>Store</dt><dd>${v.storeKind}</dd>
  <dt>Delivery</dt><dd>${c.delivery.concurrency} at once, timeout ${formatMs(c.delivery.timeoutMs)}, backoff ${c.delivery.backoff}, give up after ${formatMs(c.delivery.maxAgeMs)}</dd>
  <dt>Enrichment</dt><dd>${c.enrichment ?? 'off'}</dd>
  <dt>Slack</dt><dd>${c.slack ?? 'not configured'}</dd>
  <dt>E-mail</dt><dd>${c.smtp ?? 'not configured'}</dd>
  <dt>Teams</dt><dd>${c.teams ? html`<span class="${c.teams.authOff ? 'bad' : ''}">${c.teams.text}</span>` : 'not configured'}</dd>
  <dt>Groups</dt><dd>${plural(c.groups, 'named group')}</dd>
</dl>
<form method="post" action="/admin/reload" style="margin-top:10px"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="secondary">Reload config from file</button></form>
<h3>Receivers</h3>
<table class="stack"><thead><tr><th>Name</th><th>Kind</th><th>Target</th></tr></thead><tbody>
${c.receivers.map((r) => html`<tr><td data-label="Name"><b>${r.name}</b></td><td data-label="Kind">${r.kind}</td><td class="mono small wrap" data-label="Target">${r.target}</td></tr>`)}
</tbody></table>
<h3>Routing tree</h3>
<ul class="tree">${c.routes.map((r) => html`<li style="padding-left:${r.depth * 18}px"><b>${r.receiver}</b> <span class="mono small">${r.matchers.length ? `{${r.matchers.join(', ')}}` : '(everything)'}</span>${r.continue ? html` <span class="badge mute">continue</span>` : ''} <span class="small mono">${r.path}</span></li>`)}</ul>
</section>`;
}

function statsRow(v: AdminView): SafeHtml {
  const pending = v.queue.reduce((n, q) => n + q.pending, 0);
  const dead = v.queue.reduce((n, q) => n + q.dead, 0);
  const oldest = v.queue.map((q) => q.oldestCreatedAt).filter((t): t is number => t !== null).sort((a, b) => a - b)[0];
  const failing = v.events.filter((e) => e.deliveries.some((d) => d.state === 'dead')).length;
  return html`<div class="stats">
  <div class="stat"><div class="n">${v.events.length}</div><div class="l">${v.search ? 'events found' : 'recent events shown'}</div></div>
  <div class="stat ${pending ? 'warn' : 'ok'}"><div class="n">${pending}</div><div class="l">deliveries queued${oldest !== undefined ? html`, oldest ${timeAgo(oldest, v.now)}` : ''}</div></div>
  <div class="stat ${dead ? 'bad' : 'ok'}"><div class="n">${dead}</div><div class="l">dead letters${failing ? `, ${failing} of the events shown` : ''}</div></div>
  <div class="stat ${v.reload.successful ? 'ok' : 'bad'}"><div class="n">${v.reload.successful ? 'OK' : 'Failed'}</div><div class="l">last config reload</div></div>
</div>`;
}

/** The admin page: what arrived, where it went, what failed and why, with Retry, a route tester and the config. */
export function renderAdminPage(v: AdminView): SafeHtml {
  const header = html`<header class="top">
  <h1>aver-bridge admin</h1>
  <span class="meta">config <span class="mono">${v.config.hash}</span> · ${v.storeKind} · as of ${new Date(v.now).toISOString().slice(11, 19)} UTC</span>
  <span class="spacer"></span>
  <a href="${pageUrl(v.search, v.refreshSeconds)}">Refresh</a>
  ${v.refreshSeconds
    ? html`<a class="on" href="${pageUrl(v.search)}" title="The page reloads itself every ${v.refreshSeconds} s; click to stop">Auto-refresh: on</a>`
    : html`<a href="${pageUrl(v.search, AUTO_REFRESH_SECONDS)}" title="Reload the page every ${AUTO_REFRESH_SECONDS} s">Auto-refresh: off</a>`}
  <form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="link">Log out</button></form>
</header>`;
  // A notice is the answer to what was just done: redirects point at #notice, so it is in view, whatever was clicked.
  const notices = v.notice || v.error
    ? html`<div id="notice">${v.notice ? html`<div class="banner ok" role="status">${v.notice}</div>` : ''}${v.error ? html`<div class="banner bad" role="alert">${v.error}</div>` : ''}</div>`
    : '';
  const refresh = v.refreshSeconds ? { seconds: v.refreshSeconds, url: pageUrl(v.search, v.refreshSeconds) } : undefined;
  return layout('aver-bridge admin', html`<main>
${notices}
${statsRow(v)}
${eventsSection(v)}
${heldSection(v)}
${deadLettersSection(v)}
<div class="grid2">${testerSection(v)}${configSection(v)}</div>
</main>`, header, refresh);
}
