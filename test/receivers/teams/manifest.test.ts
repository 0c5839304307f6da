import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import ajvDraft04 from 'ajv-draft-04';
import { PNG } from 'pngjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const teamsDir = join(root, 'manifest', 'teams');
const manifest = JSON.parse(readFileSync(join(teamsDir, 'manifest.json'), 'utf8'));

function validator(version: string) {
  // The schema file straight from the package: its index module needs fs-extra, which it does not declare.
  const schema = require(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
  // A CommonJS module whose export is the class, with itself as `.default`.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  return ajv.compile(schema);
}

/** Entry names of a zip, read from its central directory. */
function zipEntries(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd, 'end of central directory').to.be.greaterThan(-1);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).to.equal(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('manifest/teams', () => {
  it('is valid against the official Teams manifest schema', () => {
    const validate = validator(manifest.manifestVersion);
    const ok = validate(manifest);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).to.deep.equal([]);
    expect(ok).to.equal(true);
  });

  it('the schema check can fail', () => {
    const validate = validator(manifest.manifestVersion);
    expect(validate({ ...manifest, bots: [{ ...manifest.bots[0], scopes: ['everywhere'] }] })).to.equal(false);
    expect(validate({ ...manifest, id: 'not-a-guid' })).to.equal(false);
  });

  it('has one bot, for teams and group chats, with the four commands', () => {
    expect(manifest.bots).to.have.length(1);
    expect(manifest.bots[0].scopes).to.have.members(['team', 'groupChat']);
    const titles = manifest.bots[0].commandLists.flatMap((l: { commands: Array<{ title: string }> }) => l.commands.map((c) => c.title));
    expect(titles).to.have.members(['help', 'routes', 'status', 'test']);
  });

  it('color.png is 192x192; outline.png is 32x32, white on transparent', () => {
    const color = PNG.sync.read(readFileSync(join(teamsDir, manifest.icons.color)));
    expect([color.width, color.height]).to.deep.equal([192, 192]);
    const outline = PNG.sync.read(readFileSync(join(teamsDir, manifest.icons.outline)));
    expect([outline.width, outline.height]).to.deep.equal([32, 32]);
    let transparent = 0;
    let opaque = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) transparent++;
      else {
        opaque++;
        expect([r, g, b], `pixel ${i / 4}`).to.deep.equal([255, 255, 255]);
      }
    }
    expect([outline.data[3], outline.data[(32 * 32 - 1) * 4 + 3]], 'corners').to.deep.equal([0, 0]);
    expect(transparent).to.be.greaterThan(400);
    expect(opaque).to.be.greaterThan(50);
  });

  describe('npm run teams:package (scripts/teams-package.ts)', function () {
    this.timeout(60_000);
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'teams-package-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const script = join(root, 'scripts', 'teams-package.ts');
    const appId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

    it('zips manifest.json (app id filled in) and the icons at the root', async () => {
      const out = join(dir, 'pkg.zip');
      await run(process.execPath, ['--import', 'tsx', script, '--app-id', appId, '--domain', 'bridge.example.com', '--out', out], { cwd: root });
      const entries = zipEntries(readFileSync(out));
      expect([...entries.keys()]).to.have.members(['manifest.json', 'color.png', 'outline.png']);
      const packed = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
      expect(packed.id).to.equal(appId);
      expect(packed.bots[0].botId).to.equal(appId);
      expect(packed.validDomains).to.deep.equal(['bridge.example.com']);
      const validate = validator(packed.manifestVersion);
      expect(validate(packed), JSON.stringify(validate.errors)).to.equal(true);
      expect(entries.get('color.png')!.equals(readFileSync(join(teamsDir, 'color.png')))).to.equal(true);
    });

    it('takes the app id from MICROSOFT_APP_ID', async () => {
      const out = join(dir, 'env.zip');
      await run(process.execPath, ['--import', 'tsx', script, '--out', out], { cwd: root, env: { ...process.env, MICROSOFT_APP_ID: appId } });
      expect(JSON.parse(zipEntries(readFileSync(out)).get('manifest.json')!.toString('utf8')).bots[0].botId).to.equal(appId);
    });

    it('refuses to build without a GUID app id', async () => {
      const env = { ...process.env };
      delete env.MICROSOFT_APP_ID;
      const failed = await run(process.execPath, ['--import', 'tsx', script, '--out', join(dir, 'x.zip')], { cwd: root, env }).then(() => null, (e) => e);
      expect(failed?.code).to.equal(2);
      expect(String(failed?.stderr)).to.include('--app-id');
      const bad = await run(process.execPath, ['--import', 'tsx', script, '--app-id', 'nope', '--out', join(dir, 'y.zip')], { cwd: root, env }).then(() => null, (e) => e);
      expect(bad?.code).to.equal(1);
      expect(String(bad?.stderr)).to.include('GUID');
    });
  });
});
