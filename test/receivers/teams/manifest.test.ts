import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { manifestValidator as validator } from '../../helpers/teams-manifest-schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const teamsDir = join(root, 'manifest', 'teams');
const manifest = JSON.parse(readFileSync(join(teamsDir, 'manifest.json'), 'utf8'));

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
});
