import { severityLine, statusLine, type DigestMessage } from '../../present/digest.js';
import { SEVERITY_LOOK } from '../../present/severity.js';
import { escapeHtml, htmlPage, inert, oneLine, SMALL, SUBJECT_MAX, type EmailContent } from './format.js';

/**
 * A group's digest as an e-mail (present/digest.ts builds it from the same message model as single messages):
 * the subject is its headline, then the counts by severity and by status, the listed events (attention first)
 * each with its "Open in Aver" link, and "and N more". Escaped and made inert as single messages are.
 */
export function formatEmailDigest(m: DigestMessage): EmailContent {
  const subject = oneLine(`${m.emoji} ${m.headline}`, SUBJECT_MAX);
  const items = m.items.map((i) => ({ line: inert(`${i.emoji} ${i.headline}`), link: i.link }));
  const more = m.more > 0 ? `and ${m.more.toLocaleString('en-US')} more` : undefined;
  const text = [
    inert(subject),
    '',
    severityLine(m),
    inert(statusLine(m)),
    '',
    ...items.map((i) => (i.link ? `${i.line}\n  ${i.link}` : i.line)),
    ...(more ? [more] : []),
  ].join('\n');
  const list = items
    .map((i) => `<li style="margin:0 0 4px">${escapeHtml(i.line)}${i.link ? ` <a href="${escapeHtml(i.link)}">Open in Aver</a>` : ''}</li>`)
    .join('');
  const html = htmlPage({ subject, preview: severityLine(m), color: SEVERITY_LOOK[m.severity].color, headline: inert(subject) }, [
    `<p style="${SMALL}">${escapeHtml(severityLine(m))}<br>${escapeHtml(inert(statusLine(m)))}</p>`,
    list ? `<ul style="margin:8px 0 8px;padding-left:18px">${list}</ul>` : '',
    more ? `<p style="${SMALL}">${escapeHtml(more)}</p>` : '',
  ]);
  return { subject, text: `${text}\n`, html };
}
