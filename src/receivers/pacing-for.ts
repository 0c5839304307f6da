import type { PacingOverride } from '../model/config.js';
import type { PacingLimit } from './receiver.js';

/** An integration's default pacing, with whatever a receiver's `pacing:` sets in its place. */
export function pacingFor(defaults: PacingLimit, override: PacingOverride | undefined): PacingLimit {
  return {
    ratePerSecond: override?.ratePerSecond ?? defaults.ratePerSecond,
    burst: override?.burst ?? defaults.burst,
    ...((override?.perHour ?? defaults.perHour) !== undefined ? { perHour: override?.perHour ?? defaults.perHour } : {}),
  };
}
