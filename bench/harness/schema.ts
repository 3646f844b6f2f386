/**
 * The bench database objects: a schema of its own per target run (named after the bench run, dropped
 * after), holding the seed's `orders` table (its example row: order_key, customer_key, total_price,
 * order_date, order_priority) plus created_at. `id` comes first, which frames.ts relies on.
 */
import postgres from "postgres";

export const TABLE = "orders";
export const ENTITY = "Order";

export function tableSql(schema: string): string {
  return `CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.${TABLE} (
  id bigserial PRIMARY KEY,
  order_key text NOT NULL,
  customer_key text NOT NULL,
  total_price numeric(12,2) NOT NULL,
  order_date date NOT NULL,
  order_priority text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);`;
}

/** `postgres://…/db` with the search_path set to `schema` (postgres.js passes it as a startup parameter). */
export function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}search_path=${schema}`;
}

/** Drops every schema whose name starts with `prefix` (what an interrupted run left behind). */
export async function dropSchemas(adminUrl: string, prefix: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ nspname: string }[]>`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${prefix.replace(/_/g, "\\_") + "%"}`;
    for (const r of rows) await sql.unsafe(`DROP SCHEMA IF EXISTS ${(sql(r.nspname) as unknown as { value: string }).value} CASCADE`);
  } finally {
    await sql.end({ timeout: 2 });
  }
}
