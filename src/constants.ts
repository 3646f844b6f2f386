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
    pausedBanner: "nomnom-paused-banner",
    empty: "nomnom-empty",
    row: "nomnom-row",
    card: perEntity("nomnom-card-"),
    stats: perEntity("nomnom-stats-"),
    exportCsv: perEntity("nomnom-export-"),
    toggle: perEntity("nomnom-toggle-"),
  },
  /** The live preview page that stands in for Grafana (preview/src/). */
  preview: {
    theme: "preview-theme",
    error: "preview-error",
  },
} as const;
