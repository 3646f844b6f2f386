/**
 * Options of the Entity stream panel. Their names are fixed with the provisioning generator
 * (backend/generate/grafana-dashboard.ts writes them, seed 001's `features:` switches among them).
 */

/** How cards are ordered: as the backend's configuration lists the entities, or the latest insert first. */
export type CardOrder = "config" | "activity";

/** How the entity's timestamp column is shown in its rows. */
export type TimeDisplay = "relative" | "absolute";

export interface PanelOptions {
  /** Entities to show; empty = every entity the queries return. */
  entities: string[];
  /** Show total, insert rate, last insert and trend on each card (feature `statistics`). */
  showStats: boolean;
  /** Rows shown per entity; default: the entity's max_records. */
  maxRecords?: number;
  /** Card order; default: the configuration's. */
  order?: CardOrder;
  /** The timestamp column in rows: "3 s ago" or the date and time. */
  timeDisplay?: TimeDisplay;
  /**
   * Seconds without an insert after which a card warns that its entity is quiet; empty: the entity's
   * `alerts.min_per_minute` decides (no warning for an entity without one).
   */
  quietAfterSeconds?: number;
  /** Newly arrived rows flash briefly (a static mark instead where the system asks for reduced motion). */
  highlightNew?: boolean;
  /** Keep each card's rows scrolled to the newest as rows arrive (feature `auto_scroll`). */
  autoScroll?: boolean;
  /** CSV download buttons on each card (feature `export_csv`). */
  exportCsv?: boolean;
  /** The search box and the entity toggles (feature `filters`). */
  showFilters?: boolean;
}

export const DEFAULT_OPTIONS: PanelOptions = {
  entities: [],
  showStats: true,
  order: "config",
  timeDisplay: "relative",
  highlightNew: true,
  autoScroll: true,
  exportCsv: true,
  showFilters: true,
};

/** The options with every default filled in (dashboards saved before an option existed lack it). */
export function withDefaults(options: Partial<PanelOptions> | undefined): Required<Omit<PanelOptions, "maxRecords" | "quietAfterSeconds">> & Pick<PanelOptions, "maxRecords" | "quietAfterSeconds"> {
  const o = { ...DEFAULT_OPTIONS, ...(options ?? {}) };
  return {
    entities: o.entities ?? [],
    showStats: o.showStats !== false,
    maxRecords: o.maxRecords && o.maxRecords > 0 ? o.maxRecords : undefined,
    order: o.order === "activity" ? "activity" : "config",
    timeDisplay: o.timeDisplay === "absolute" ? "absolute" : "relative",
    quietAfterSeconds: o.quietAfterSeconds && o.quietAfterSeconds > 0 ? o.quietAfterSeconds : undefined,
    highlightNew: o.highlightNew !== false,
    autoScroll: o.autoScroll !== false,
    exportCsv: o.exportCsv !== false,
    showFilters: o.showFilters !== false,
  };
}

export type ResolvedOptions = ReturnType<typeof withDefaults>;
