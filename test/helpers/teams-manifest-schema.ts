import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';

const require = createRequire(import.meta.url);

/** A validator for one Teams manifest version, compiled from the schema the official package ships. */
export function manifestValidator(version: string) {
  // The schema file straight from the package: its index module needs fs-extra, which it does not declare.
  const schema = require(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
  // A CommonJS module whose export is the class, with itself as `.default`.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  return ajv.compile(schema);
}
