import { expect } from 'chai';
import { postWebhook, startBridge, waitFor } from './helpers/bridge.js';
import { MINIMAL_YAML } from './helpers/config.js';

describe('aver-bridge end to end (console receiver)', () => {
  it('acknowledges the documented example with 202 and delivers it to the console', async () => {
    const t = await startBridge(MINIMAL_YAML);
    try {
      const res = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: '12345', groupId: ' 12345', status: 'Completed' } }, { authorization: 's3cret-value' });
      expect(res.status).to.equal(202);
      expect(res.json).to.include({ accepted: true });
      const line = await waitFor(() => t.consoleLines.find((l) => l.eventId === res.json.eventId), 'console line');
      expect(line).to.include({ receiver: 'ops', type: 'LiveCheck', id: '12345', groupId: '12345', status: 'Completed' });
      expect(line.routedTo).to.deep.equal(['ops']);
    } finally {
      await t.stop();
    }
  });
});
