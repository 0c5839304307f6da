import { configPath, loadConfig } from '../config/load.js';
import { describeTimers, parseLabelArgs, testRoute } from '../routing/test-route.js';
import { buildRouteTree } from '../routing/tree.js';
import type { Command } from './command.js';

/** `aver-bridge routes test`: the receivers some labels reach, and the path taken (as amtool config routes test). */
export const routesTest: Command = {
  name: 'routes test',
  summary: 'show which receivers an event with these labels reaches',
  usage: ['routes test [--config FILE] [--verify-receivers a,b] label=value | label="value" …'],
  description: 'Prints the receivers reached, in tree order, then each one with the route that reached it.\nLabels are read as amtool reads them (quotes and escapes); exit 1 when --verify-receivers differs.',
  options: ['config', 'verify-receivers'],
  async run({ values, args }, io) {
    const config = loadConfig(configPath(values.config));
    // As amtool: each argument is a matcher (label="value", quotes and escapes read), and what amtool would warn about is printed.
    const given = parseLabelArgs(args, (w) => io.err(`warning: ${w.message}: ${JSON.stringify(w.input)}${w.suggestion ? ` (write ${w.suggestion})` : ''}`));
    const { receivers, routes } = testRoute(buildRouteTree(config.route), config.aver.groups, given);
    io.out(receivers.join(','));
    for (const r of routes) {
      io.out(`  ${r.receiver}  via ${r.path}${r.matchers.length ? `  {${r.matchers.join(', ')}}` : ''}`);
      const timers = describeTimers(r.timers);
      if (timers) io.out(`    ${timers}`);
    }
    const verify = values['verify-receivers'];
    if (verify === undefined) return 0;
    const expected = verify.split(',').map((s) => s.trim()).filter(Boolean);
    if (expected.join(',') === receivers.join(',')) return 0;
    io.err(`WARNING: expected receivers "${expected.join(',')}" do not match the routed receivers "${receivers.join(',')}"`);
    return 1;
  },
};
