import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { manifestValidator as validator } from '../helpers/teams-manifest-schema.js';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const teamsDir = join(root, 'manifest', 'teams');

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
