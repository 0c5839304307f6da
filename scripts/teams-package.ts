/**
 * Builds the Teams app package: manifest/teams/build/aver-bridge-teams.zip with
 * manifest.json (app id and bot id filled in) and the two icons at the zip's root,
 * ready for "Upload a custom app" in Teams or the Teams admin center.
 *
 *   npm run teams:package -- --app-id <Microsoft App ID> [--domain bridge.example.com]
 *   MICROSOFT_APP_ID=<guid> npm run teams:package
 */
import { mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** Zip entries get a fixed date so the same inputs give the same package. */
const FIXED_DATE = new Date('2024-01-01T00:00:00Z');

export interface PackageOptions {
  appId: string;
  /** Extra validDomains (the bridge's public host, for links in cards). */
  domains?: string[];
  /** manifest/teams */
  sourceDir: string;
  /** The zip to write. */
  out: string;
}

/** The manifest with the app id filled in (as the Teams app id and the bot id). */
export function fillManifest(manifest: Record<string, unknown>, appId: string, domains: string[] = []): Record<string, unknown> {
  if (!GUID.test(appId)) throw new Error(`the app id must be the bot's Microsoft App ID (a GUID), got "${appId}"`);
  const bots = (manifest.bots as Array<Record<string, unknown>> | undefined) ?? [];
  const valid = new Set([...((manifest.validDomains as string[] | undefined) ?? []), ...domains.filter(Boolean)]);
  return {
    ...manifest,
    id: appId,
    bots: bots.map((b) => ({ ...b, botId: appId })),
    validDomains: [...valid],
  };
}

/** Writes the package zip; resolves with its path once it is on disk. */
export async function buildTeamsPackage(options: PackageOptions): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(options.sourceDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const filled = fillManifest(manifest, options.appId, options.domains);
  const icons = filled.icons as { color: string; outline: string };
  mkdirSync(dirname(options.out), { recursive: true });
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(filled, null, 2) + '\n'), 'manifest.json', { mtime: FIXED_DATE });
  for (const icon of [icons.color, icons.outline]) {
    zip.addBuffer(readFileSync(join(options.sourceDir, icon)), icon, { mtime: FIXED_DATE });
  }
  zip.end();
  await new Promise<void>((done, fail) => {
    const file = createWriteStream(options.out);
    zip.outputStream.on('error', fail).pipe(file).on('error', fail).on('close', () => done());
  });
  return options.out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'app-id': { type: 'string' },
      domain: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
  });
  const appId = (values['app-id'] ?? process.env.MICROSOFT_APP_ID ?? '').trim();
  if (!appId) {
    console.error('teams-package: give the bot\'s Microsoft App ID with --app-id <guid> or the MICROSOFT_APP_ID environment variable');
    process.exit(2);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const sourceDir = join(root, 'manifest', 'teams');
  const out = resolve(values.out ?? join(sourceDir, 'build', 'aver-bridge-teams.zip'));
  try {
    await buildTeamsPackage({ appId, domains: values.domain ?? [], sourceDir, out });
  } catch (err) {
    console.error(`teams-package: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(`wrote ${out}: upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin center`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
