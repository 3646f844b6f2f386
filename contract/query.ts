/**
 * The datasource's query model: what a panel's target holds. The plugin's editors write it, the
 * datasource reads it, and the generator writes it into provisioned dashboards.
 */

export type QueryType = "live" | "stats" | "rate" | "history";

export const QUERY_TYPES: readonly QueryType[] = ["live", "stats", "rate", "history"];

export interface QueryModel {
  refId: string;
  queryType: QueryType;
  /** Entity name (template variables allowed); absent = every entity. */
  entity?: string;
  /** Columns to return (live, history); absent = every column of the entity. */
  fields?: string[];
  /** Rows kept (live) or fetched (history); defaults to the entity's max_records (live) or 5000 (history). */
  limit?: number;
}
