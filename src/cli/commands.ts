import { checkConfig } from './check-config.js';
import type { Command } from './command.js';
import { deadLetters } from './dead-letters.js';
import { held } from './held.js';
import { preview } from './preview.js';
import { routesTest } from './routes-test.js';
import { sendTest } from './send-test.js';
import { serve } from './serve.js';

/** Every command, in the order the help lists them; `serve` runs when none is named. */
export const COMMANDS: readonly Command[] = [serve, checkConfig, routesTest, preview, sendTest, deadLetters, held];

export const DEFAULT_COMMAND: Command = serve;
