import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { anchorsOf, brokenLinks, githubSlug, markdownFiles, ROOT } from '../helpers/markdown.js';

describe('githubSlug and anchorsOf: anchors as GitHub makes them', () => {
  const cases: [string, string][] = [
    ['Quick start', 'quick-start'],
    ["Receiving Aver's webhooks", 'receiving-avers-webhooks'],
    ["Enrichment: details from Aver's REST API", 'enrichment-details-from-avers-rest-api'],
    ['The page: `GET /admin`', 'the-page-get-admin'],
    ["The webhook receiver's `message`", 'the-webhook-receivers-message'],
    ['Warnings, in the words messages use', 'warnings-in-the-words-messages-use'],
    ['1. Create the app from the manifest', '1-create-the-app-from-the-manifest'],
    ['E-mail', 'e-mail'],
    ['Matchers are read as Alertmanager v0.34.0 reads them', 'matchers-are-read-as-alertmanager-v0340-reads-them'],
    ['**Bold** and [a link](x.md) and `snake_case`', 'bold-and-a-link-and-snake_case'],
    ['🔴 Red', '-red'],
  ];
  for (const [heading, slug] of cases) {
    it(`"${heading}" → #${slug}`, () => {
      expect(githubSlug(heading)).to.equal(slug);
    });
  }

  it('numbers repeated headings -1, -2, and reads no heading inside a code block', () => {
    const anchors = anchorsOf('# Config\n## Events\n## Config\n```\n# Config\n```\n### Config\n');
    expect([...anchors]).to.deep.equal(['config', 'events', 'config-1', 'config-2']);
  });
});

describe('brokenLinks: every relative link and anchor', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'aver-bridge-links-'));
    mkdirSync(join(root, 'docs'));
    mkdirSync(join(root, 'deploy'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, '.gitignore'), 'dist/\n');
    writeFileSync(join(root, 'docs', 'a.md'), '# A\n## Setup\n## Setup\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const check = (markdown: string) => {
    const file = join(root, 'README.md');
    writeFileSync(file, markdown);
    return brokenLinks(file, root);
  };

  it('accepts files, folders, anchors (repeated ones too), links with a scheme, and links in code', () => {
    expect(check([
      '# Top', '[a](docs/a.md) [b](docs/a.md#setup) [c](docs/a.md#setup-1) [d](deploy/) [e](#top)',
      '[f](https://example.com/x#y) `[g](nowhere.md)`', '```', '[h](nowhere.md)', '```', '![i](docs/a.md)',
    ].join('\n'))).to.deep.equal([]);
  });

  it('names each broken link: a missing file, a missing anchor, one out of the repository, a build output, an absolute path', () => {
    expect(check([
      '# Top', '[a](docs/nosuch.md)', '[b](docs/a.md#enrichment)', '[c](#nowhere)', '[d](../deploy/)', '[e](dist/cli.js)',
      '[f](/docs/a.md)', '[g](docs/a.md#setup-2)', '[h](deploy/#x)',
    ].join('\n'))).to.deep.equal([
      'README.md:2: docs/nosuch.md: no such file (docs/nosuch.md)',
      'README.md:3: docs/a.md#enrichment: no heading with the anchor #enrichment in docs/a.md',
      'README.md:4: #nowhere: no heading with the anchor #nowhere in README.md',
      'README.md:5: ../deploy/: outside the repository',
      'README.md:6: dist/cli.js: dist/ is in .gitignore: it is not in the repository',
      'README.md:7: /docs/a.md: an absolute path: write it relative to this file',
      'README.md:8: docs/a.md#setup-2: no heading with the anchor #setup-2 in docs/a.md',
      'README.md:9: deploy/#x: an anchor into deploy, which is not a Markdown file',
    ]);
  });
});

describe('README.md and docs/: links', () => {
  const files = markdownFiles();

  it('keeps README.md a front page of at most 300 lines (the reference lives in docs/)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length).to.be.at.most(300);
  });

  it('has the README and the reference in docs/', () => {
    expect(files.map((f) => relative(ROOT, f))).to.include.members(['README.md', join('docs', 'configuration.md'), join('docs', 'routing.md')]);
  });

  for (const file of files) {
    it(`${relative(ROOT, file)}: every relative link reaches a file in the repository, and every #anchor a heading`, () => {
      expect(brokenLinks(file)).to.deep.equal([]);
    });
  }
});
