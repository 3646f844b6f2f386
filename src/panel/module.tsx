/** Entry of the Entity stream panel (loaded by Grafana from dist/panel/module.js). */
import { PanelPlugin } from "@grafana/data";
import { EntityPanel } from "./EntityPanel.tsx";
import { DEFAULT_OPTIONS, type PanelOptions } from "./types.ts";

export const plugin = new PanelPlugin<PanelOptions>(EntityPanel).setPanelOptions((builder) =>
  builder
    .addStringArray({
      path: "entities",
      name: "Entities",
      description: "Entities to show, by name; empty shows every entity the queries return.",
      defaultValue: DEFAULT_OPTIONS.entities,
    })
    .addBooleanSwitch({ path: "showStats", name: "Show stats", description: "Total rows and insert rate on each card.", defaultValue: DEFAULT_OPTIONS.showStats })
    .addNumberInput({
      path: "maxRecords",
      name: "Rows per entity",
      description: "Rows shown per entity; empty uses the entity's max_records.",
      settings: { min: 1, integer: true, placeholder: "max_records" },
    }),
);
