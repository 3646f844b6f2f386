/**
 * Entry of the Entity stream panel (loaded by Grafana from dist/panel/module.js): its options, and
 * Grafana's standard field options (unit, decimals, value mappings, no value, display name, overrides by
 * field name), which Grafana applies to the frames' fields before the panel formats their cells.
 */
import { FieldConfigProperty, PanelPlugin } from "@grafana/data";
import { EntityPanel } from "./EntityPanel.tsx";
import { DEFAULT_OPTIONS, type PanelOptions } from "./types.ts";

export const plugin = new PanelPlugin<PanelOptions>(EntityPanel)
  .useFieldConfig({
    // Colours, thresholds, min/max and links mean nothing in a table of rows; the rest apply cell by cell.
    disableStandardOptions: [FieldConfigProperty.Color, FieldConfigProperty.Thresholds, FieldConfigProperty.Min, FieldConfigProperty.Max, FieldConfigProperty.Links],
  })
  .setPanelOptions((builder) =>
    builder
      .addStringArray({
        path: "entities",
        name: "Entities",
        description: "Entities to show, by name; empty shows every entity the queries return.",
        defaultValue: DEFAULT_OPTIONS.entities,
      })
      .addRadio({
        path: "order",
        name: "Card order",
        description: "As the backend's configuration lists the entities, or the latest insert first.",
        defaultValue: DEFAULT_OPTIONS.order,
        settings: {
          options: [
            { value: "config", label: "Configuration" },
            { value: "activity", label: "Recent activity" },
          ],
        },
      })
      .addBooleanSwitch({
        path: "showStats",
        name: "Show statistics",
        description: "Total rows, insert rate, time since the last insert and the trend on each card.",
        defaultValue: DEFAULT_OPTIONS.showStats,
      })
      .addNumberInput({
        path: "quietAfterSeconds",
        name: "Quiet after (seconds)",
        description: "Warn on a card when its entity has had no insert for this long; empty: from the entity's alerts.min_per_minute.",
        settings: { min: 1, integer: true, placeholder: "from min_per_minute" },
        showIf: (o) => o.showStats !== false,
      })
      .addNumberInput({
        path: "maxRecords",
        name: "Rows per entity",
        description: "Rows shown per entity; empty uses the entity's max_records.",
        settings: { min: 1, integer: true, placeholder: "max_records" },
      })
      .addRadio({
        path: "timeDisplay",
        name: "Row time",
        description: "The entity's timestamp column in each row.",
        defaultValue: DEFAULT_OPTIONS.timeDisplay,
        settings: {
          options: [
            { value: "relative", label: "Relative (3 s ago)" },
            { value: "absolute", label: "Date and time" },
          ],
        },
      })
      .addBooleanSwitch({ path: "highlightNew", name: "Highlight new rows", description: "New rows flash briefly (a still mark with reduced motion).", defaultValue: DEFAULT_OPTIONS.highlightNew })
      .addBooleanSwitch({ path: "autoScroll", name: "Auto-scroll", description: "Keep each card at its newest row as rows arrive.", defaultValue: DEFAULT_OPTIONS.autoScroll })
      .addBooleanSwitch({ path: "exportCsv", name: "CSV export", description: "CSV downloads of the rows shown on each card.", defaultValue: DEFAULT_OPTIONS.exportCsv })
      .addBooleanSwitch({ path: "showFilters", name: "Search and entity toggles", description: "The search box and the per-entity toggles.", defaultValue: DEFAULT_OPTIONS.showFilters }),
  );
