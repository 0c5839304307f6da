import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli.js';
import { KNOWN_STATUS_REASONS, KNOWN_WARNINGS, reasonWords, warningWords } from '../../src/present/words.js';
import { TEMPLATE_VARIABLES } from '../../src/present/template-variables.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const MESSAGES = readFileSync(new URL('../../docs/messages.md', import.meta.url), 'utf8');

/** A command line as a POSIX shell splits it: words, with 'single' and "double" quotes (no escapes needed here). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)].map((m) => m[0].replace(/'([^']*)'|"([^"]*)"/g, (_q, a: string | undefined, b: string | undefined) => a ?? b ?? ''));
}

/** The time the preview was made at, written as display.timeZone writes it. */
const anyTime = (s: string) => s.replace(/\d{1,2} \w{3} \d{4}, \d\d:\d\d \w+/g, 'TIME');

/** Each ``` block that shows `$ npx aver-bridge preview …` and what it prints. */
const previewBlocks = (markdown: string) => [...markdown.matchAll(/```\n\$ npx aver-bridge preview (.*)\n([\s\S]*?)```/g)];

/** The section from one heading to the next of the same level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).to.be.at.least(0);
  const level = /^#+ /.exec(heading)![0];
  const end = markdown.indexOf(`\n${level}`, start + heading.length + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The first column of a table's rows, `code` cells only: `| \`name\` | …`. */
const firstColumn = (markdown: string) => [...markdown.matchAll(/^\| `(\w+)`(?: \([^)]*\))? \|/gm)].map((m) => m[1]);

for (const [file, markdown, receivers] of [['README.md', README, ['compliance-console', 'kyc-slack', 'kyc-teams']], ['docs/messages.md', MESSAGES, ['kyc-slack', 'kyc-teams']]] as const) {
  describe(`${file}: the preview examples are what the command prints`, () => {
    const blocks = previewBlocks(markdown);

    it(`has the previews of ${receivers.join(' and ')}`, () => {
      expect(blocks.map((b) => /--receiver (\S+)/.exec(b[1])?.[1])).to.deep.equal(receivers);
    });

    for (const [, command, shown] of blocks) {
      it(`aver-bridge preview ${command.slice(0, 80)}…`, async () => {
        const out: string[] = [];
        const code = await main(['preview', ...shellWords(command)], { out: (s) => out.push(s), err: () => undefined });
        expect(code).to.equal(0);
        expect(anyTime(out.join('\n').trimEnd())).to.equal(anyTime(shown.trimEnd()));
      });
    }
  });
}

describe('README.md: the template variables it names are the code\'s', () => {
  it('names every template variable, in order', () => {
    const list = section(README, '## What a message looks like');
    const names = [...(/from these variables: ([^.]*)\./.exec(list.replace(/\n/g, ' '))?.[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]);
    expect(names).to.deep.equal(TEMPLATE_VARIABLES.map((v) => v.name));
  });
});

describe('docs/messages.md: the tables are the code\'s', () => {
  it('lists every template variable in the Message templates table', () => {
    const rows = firstColumn(section(MESSAGES, '## Message templates'));
    expect(rows).to.deep.equal(TEMPLATE_VARIABLES.map((v) => v.name));
  });

  it('shows every warning and status reason in the words src/present/words.ts gives them', () => {
    const words = section(MESSAGES, '## Words');
    const rows = (heading: string) => [...section(words, heading).matchAll(/^\| `(\w+)`(?: \([^)]*\))? \| (.+?) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows('### Warnings')).to.deep.equal(KNOWN_WARNINGS.map((w) => [w, warningWords(w)]));
    expect(rows('### Status reasons')).to.deep.equal(KNOWN_STATUS_REASONS.map((r) => [r, reasonWords(r)]));
  });
});
