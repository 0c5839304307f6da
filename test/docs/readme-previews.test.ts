import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli.js';
import { TEMPLATE_VARIABLES } from '../../src/present/template-variables.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** A command line as a POSIX shell splits it: words, with 'single' and "double" quotes (no escapes needed here). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)].map((m) => m[0].replace(/'([^']*)'|"([^"]*)"/g, (_q, a: string | undefined, b: string | undefined) => a ?? b ?? ''));
}

/** The time the preview was made at, written as display.timeZone writes it. */
const anyTime = (s: string) => s.replace(/\d{1,2} \w{3} \d{4}, \d\d:\d\d \w+/g, 'TIME');

describe('README: the preview examples are what the command prints', () => {
  const blocks = [...README.matchAll(/```\n\$ npx aver-bridge preview (.*)\n([\s\S]*?)```/g)];

  it('has one Slack and one Teams preview', () => {
    expect(blocks.map((b) => /--receiver (\S+)/.exec(b[1])?.[1])).to.deep.equal(['kyc-slack', 'kyc-teams']);
  });

  for (const [, command, shown] of blocks) {
    it(`aver-bridge preview ${command.slice(0, 80)}…`, async () => {
      const out: string[] = [];
      const code = await main(['preview', ...shellWords(command)], { out: (s) => out.push(s), err: () => undefined });
      expect(code).to.equal(0);
      expect(anyTime(out.join('\n').trimEnd())).to.equal(anyTime(shown.trimEnd()));
    });
  }

  it('lists every template variable in the Message templates table', () => {
    const section = README.slice(README.indexOf('### Message templates'), README.indexOf('### Preview'));
    const rows = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows).to.deep.equal(TEMPLATE_VARIABLES.map((v) => v.name));
  });
});
