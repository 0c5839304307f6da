import { configPath, loadConfig } from '../config/load.js';
import { createLogger } from '../logger.js';
import { LOG_FORMATS, type Config, type LogFormat } from '../model/config.js';
import { UsageError, type Command } from './command.js';

/** `aver-bridge [serve]`: the server, until SIGTERM or SIGINT. */
export const serve: Command = {
  name: 'serve',
  summary: 'run the server (the command when none is given)',
  usage: ['[serve] [--config FILE] [--log-format auto|json|pretty]'],
  description: 'Runs the bridge until SIGTERM or SIGINT, which stop it gracefully (a second signal exits at once).\nSIGHUP reloads the config file; a file with problems is logged and the running config kept.',
  options: ['config', 'log-format'],
  maxArgs: 0,
  run: ({ values }) => {
    const format = logFormatFlag(values['log-format']);
    // The flag wins over log.format, at start-up and in every config a reload reads.
    const load = (): Config => {
      const config = loadConfig(configPath(values.config));
      return format ? { ...config, log: { ...config.log, format } } : config;
    };
    return runServer(load(), load);
  },
};

function logFormatFlag(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined;
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')} (got "${value}")`);
  return value as LogFormat;
}

/** Runs the server until SIGTERM/SIGINT; SIGHUP reloads the config file (through `reload`). */
async function runServer(config: Config, reload: () => Config): Promise<number> {
  const logger = createLogger(config.log.level, undefined, config.log.format);
  // Loaded here, not at the top: check-config, routes test and dead-letters need none of the server's modules.
  const { createBridge } = await import('../app.js');
  const bridge = await createBridge(config, { logger, reloadSource: reload });
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
