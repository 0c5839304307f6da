/**
 * One migration format for both stores. Each store keeps its steps in a list (sqlite-migrations.ts,
 * postgres-migrations.ts), applies the ones its database lacks in order, each once, inside one transaction,
 * and records each in `schema_versions (version, name, applied_at)`. Never edit a released step: add one.
 */
export interface Migration {
  /** 1, 2, 3 …: a step's place in its list, for ever. */
  version: number;
  name: string;
  sql: string;
}

/** The steps of `all` whose version is not in `applied`, in order. */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  return all.filter((m) => !applied.has(m.version));
}
