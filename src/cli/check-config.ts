import { configPath, loadConfig } from '../config/load.js';
import type { Command } from './command.js';

/** `aver-bridge check-config`: loads the config as the server would, and says whether it would start. */
export const checkConfig: Command = {
  name: 'check-config',
  summary: 'check a config file as the server would load it',
  usage: ['check-config [--config FILE]'],
  description: 'Exits 0 when the file loads, or 1 with every problem, its line and how to fix it (the same messages as at start-up).\n${VAR} references are expanded from this environment, as the server would.',
  options: ['config'],
  maxArgs: 0,
  async run({ values }, io) {
    const file = configPath(values.config);
    const config = loadConfig(file);
    const n = config.receivers.length;
    io.out(`${file}: OK (${n} receiver${n === 1 ? '' : 's'}, store ${config.storage.url.split(':')[0]})`);
    return 0;
  },
};
