import { verify } from 'node:crypto';
import { AuthenticationConstants } from 'botframework-connector';
// Not re-exported by the package: its metadata cache is the one botbuilder reads, so a key is fetched once for both.
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor.js';

/** Where botbuilder looks for a token's signing keys: the channel's OpenID metadata for its issuer, else the Emulator's. */
export interface TokenKeySources {
  channelIssuer?: string;
  channelMetadataUrl?: string;
  emulatorMetadataUrl?: string;
}

/** A token not refused here; `endorsements` are the channels its signing key may sign for (botbuilder checks them too). */
export type TokenCheck = { ok: true; endorsements?: readonly string[] } | { ok: false; status: 401 | 503; problem: string };

/** The hash of each algorithm botbuilder accepts (AuthenticationConstants.AllowedSigningAlgorithms: RS256/384/512). */
const HASHES = new Map(AuthenticationConstants.AllowedSigningAlgorithms.map((alg) => [alg, `sha${alg.slice(2)}`]));
/** botbuilder's (jsonwebtoken's) clockTolerance for `nbf` and `exp`. */
const CLOCK_TOLERANCE_S = 5 * 60;
const JWT = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/**
 * Refuses the bearer tokens botbuilder refuses only after printing a stack trace or its keys to stderr: not a JWT,
 * an algorithm it does not accept (`none`, HS256), not valid yet or expired (with its 5-minute tolerance), or a
 * signature its own signing key does not verify. Anything else passes to botbuilder, which still checks all of it
 * (issuer, audience, endorsements) and refuses the rest without printing. A token is never accepted here.
 */
export async function tokenProblem(authHeader: string, nowMs: number, sources: TokenKeySources): Promise<TokenCheck> {
  const m = JWT.exec(authHeader.trim());
  const header = m ? jsonPart(m[1]) : undefined;
  const payload = m ? jsonPart(m[2]) : undefined;
  if (!m || !header || !payload) return refused('not a Bearer JWT');
  const hash = typeof header.alg === 'string' ? HASHES.get(header.alg) : undefined;
  if (!hash) return refused(`signing algorithm ${JSON.stringify(String(header.alg).slice(0, 20))} is not accepted`);
  if (!m[3]) return refused('the token has no signature');
  const now = Math.floor(nowMs / 1000);
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + CLOCK_TOLERANCE_S)) return refused('the token is not valid yet (nbf)');
  if (payload.exp !== undefined && (typeof payload.exp !== 'number' || now >= payload.exp + CLOCK_TOLERANCE_S)) return refused('the token has expired (exp)');
  const url = payload.iss === sources.channelIssuer ? sources.channelMetadataUrl : sources.emulatorMetadataUrl;
  // Without a key id or a key, botbuilder refuses without printing.
  if (!url || typeof header.kid !== 'string') return { ok: true };
  let key: { key: string; endorsements?: unknown } | null;
  try {
    key = await new JwtTokenExtractor({}, url, [...HASHES.keys()]).openIdMetadata.getKey(header.kid);
  } catch {
    return { ok: false, status: 503, problem: 'the Bot Framework signing keys could not be loaded' };
  }
  if (!key) return { ok: true };
  let valid = false;
  try {
    valid = verify(hash, Buffer.from(`${m[1]}.${m[2]}`), key.key, Buffer.from(m[3], 'base64url'));
  } catch {
    valid = false;
  }
  const endorsements = Array.isArray(key.endorsements) ? key.endorsements.filter((e): e is string => typeof e === 'string') : undefined;
  return valid ? { ok: true, endorsements } : refused('the signature does not match the signing key');
}

/**
 * botbuilder's endorsement rule (EndorsementsValidator), checked quietly: a key endorsed for some channels signs only
 * their activities (botbuilder prints the key to stderr when it refuses one). A blank channel id asserts nothing.
 */
export function unendorsedChannel(channelId: string, endorsements: readonly string[] | undefined): string | undefined {
  if (!endorsements?.length || channelId.trim() === '' || endorsements.includes(channelId)) return undefined;
  return `the signing key is not endorsed for channel ${JSON.stringify(channelId.slice(0, 40))}`;
}

function refused(problem: string): TokenCheck {
  return { ok: false, status: 401, problem };
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
