import { configPath, loadConfig } from '../config/load.js';
import { createLogger } from '../logger.js';
import type { Config } from '../model/config.js';
import type { Command } from './command.js';

/** `aver-bridge [serve]`: the server, until SIGTERM or SIGINT. */
export const serve: Command = {
  name: 'serve',
  summary: 'run the server (the command when none is given)',
  usage: ['[serve] [--config FILE]'],
  description: 'Runs the bridge until SIGTERM or SIGINT, which stop it gracefully (a second signal exits at once).\nSIGHUP reloads the config file; a file with problems is logged and the running config kept.',
  options: ['config'],
  maxArgs: 0,
  run: ({ values }) => runServer(loadConfig(configPath(values.config))),
};

/** Runs the server until SIGTERM/SIGINT; SIGHUP reloads the config file. */
async function runServer(config: Config): Promise<number> {
  const logger = createLogger(config.log.level);
  // Loaded here, not at the top: check-config, routes test and dead-letters need none of the server's modules.
  const { createBridge } = await import('../app.js');
  const bridge = await createBridge(config, { logger });
  await bridge.start();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now (everything acknowledged is stored)');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      bridge.stop().then(() => resolve(0), (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    // A bad file is logged by reloadFromSource and the old configuration kept.
    process.on('SIGHUP', () => void bridge.reloadFromSource().catch(() => undefined));
  });
}
