/**
 * The test ids the plugin and its preview page render (`data-testid`), spelled once: the components
 * render them from here, and the jest tests, the browser tests and the @grafana/plugin-e2e specs look
 * for them from here, so renaming one cannot leave a test looking for the old name. (Grafana's
 * create-plugin keeps them the same way, in src/constants.ts.) No Grafana import: the Node-side tests
 * read this module too.
 */

/** A test id per entity (its card, its stats…): the stem followed by the entity's name. */
const perEntity =
  (stem: string) =>
  (entity: string): string =>
    `${stem}${entity}`;

export const TEST_IDS = {
  /** The Entity stream panel (src/panel/). */
  panel: {
    root: "nomnom-panel",
    status: "nomnom-status",
    search: "nomnom-search",
    pause: "nomnom-pause",
    banner: "nomnom-banner",
    /** The database's outage or degradation, as the backend reports it. */
    databaseBanner: "nomnom-database-banner",
    pausedBanner: "nomnom-paused-banner",
    empty: "nomnom-empty",
    row: "nomnom-row",
    /** A row's expand button, and the row of every column it opens. */
    expand: "nomnom-expand",
    rowDetails: "nomnom-row-details",
    card: perEntity("nomnom-card-"),
    stats: perEntity("nomnom-stats-"),
    /** The time since the entity's last insert (`data-quiet="true"` when longer than expected). */
    lastInsert: perEntity("nomnom-last-insert-"),
    trend: perEntity("nomnom-trend-"),
    /** CSV of the columns shown; of every column (with the key and the time). */
    exportCsv: perEntity("nomnom-export-"),
    exportCsvAll: perEntity("nomnom-export-all-"),
    /** The column chooser's button, and its list of columns. */
    columns: perEntity("nomnom-columns-"),
    columnChooser: perEntity("nomnom-column-chooser-"),
    toggle: perEntity("nomnom-toggle-"),
  },
  /** The live preview page that stands in for Grafana (preview/src/). */
  preview: {
    theme: "preview-theme",
    error: "preview-error",
  },
} as const;
