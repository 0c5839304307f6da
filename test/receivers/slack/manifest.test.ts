import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';

const manifest = parse(readFileSync(new URL('../../../manifest/slack.yaml', import.meta.url), 'utf8'));
const EVENTS_URL = 'https://aver-bridge.example.com/slack/events';

describe('manifest/slack.yaml', () => {
  it('names the app and gives it a bot user', () => {
    expect(manifest.display_information.name).to.equal('aver-bridge');
    // Slack refuses a long_description under 175 characters.
    expect(manifest.display_information.long_description.length).to.be.at.least(175);
    expect(manifest.features.bot_user.display_name).to.equal('aver-bridge');
  });

  it('declares /aver on the events URL', () => {
    expect(manifest.features.slash_commands).to.have.length(1);
    expect(manifest.features.slash_commands[0]).to.deep.include({ command: '/aver', url: EVENTS_URL });
    expect(manifest.features.slash_commands[0].description.length).to.be.at.most(100);
  });

  it('asks for exactly the bot scopes the bridge uses', () => {
    expect(manifest.oauth_config.scopes.bot).to.have.members(['chat:write', 'chat:write.public', 'commands', 'channels:read', 'groups:read']);
    expect(manifest.oauth_config.scopes.user).to.equal(undefined);
  });

  it('uses HTTP request URLs on the placeholder host, without socket mode, org deploy or token rotation', () => {
    expect(manifest.settings).to.deep.include({ org_deploy_enabled: false, socket_mode_enabled: false, token_rotation_enabled: false });
    expect(manifest.settings.interactivity).to.deep.equal({ is_enabled: true, request_url: EVENTS_URL });
    const urls = JSON.stringify(manifest).match(/https?:\/\/[^"]+/g) ?? [];
    expect(urls.every((u: string) => u === EVENTS_URL)).to.equal(true);
  });
});
