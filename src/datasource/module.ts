/** Entry of the nomnom-live datasource (loaded by Grafana from dist/datasource/module.js). */
import { DataSourcePlugin } from "@grafana/data";
import type { NomnomOptions, NomnomQuery, NomnomSecureOptions } from "../shared/types.ts";
import { ConfigEditor } from "./ConfigEditor.tsx";
import { NomnomDataSource } from "./datasource.ts";
import { QueryEditor } from "./QueryEditor.tsx";

export const plugin = new DataSourcePlugin<NomnomDataSource, NomnomQuery, NomnomOptions, NomnomSecureOptions>(NomnomDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
