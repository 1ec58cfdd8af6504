// A hot query whose SQL never changes between calls, built and compiled by Kysely once; later
// calls only put in their parameters (docs/decisions/015). Only string arguments (ids, keys):
// they never change a statement's shape, as null or an array would.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { DB } from './schema.js';

type Builder = Pick<Kysely<DB>, 'selectFrom'>;
type Executor = Pick<Kysely<DB>, 'executeQuery' | 'selectFrom'>;

const SLOT = '\u0000precompiled:';

export function precompiled<Args extends Record<string, string>, Row>(
  build: (db: Builder, args: Args) => Compilable<Row>,
): (db: Executor, args: Args) => Promise<Row[]> {
  let template: { compiled: CompiledQuery<Row>; slots: (string | { constant: unknown })[] };
  return async (db, args) => {
    template ??= compileTemplate(db, build);
    const parameters = template.slots.map((slot) =>
      typeof slot === 'string' ? args[slot] : slot.constant,
    );
    const { rows } = await db.executeQuery<Row>({ ...template.compiled, parameters });
    return rows;
  };
}

function compileTemplate<Args extends Record<string, string>, Row>(
  db: Builder,
  build: (db: Builder, args: Args) => Compilable<Row>,
) {
  const placeholders = new Proxy({} as Args, { get: (_, key) => `${SLOT}${String(key)}` });
  const compiled = build(db, placeholders).compile();
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(SLOT)
      ? value.slice(SLOT.length)
      : { constant: value },
  );
  return { compiled, slots };
}
