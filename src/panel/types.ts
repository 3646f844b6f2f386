/** Options of the Entity stream panel (names fixed with the provisioning generator). */
export interface PanelOptions {
  /** Entities to show; empty = every entity the queries return. */
  entities: string[];
  /** Show total and insert rate on each card. */
  showStats: boolean;
  /** Rows shown per entity; default: the entity's max_records. */
  maxRecords?: number;
}

export const DEFAULT_OPTIONS: PanelOptions = { entities: [], showStats: true };
