/** Entry of the nomnom-live app (dist/module.js); the datasource and the panel are nested plugins. */
import { AppPlugin } from "@grafana/data";
import { AppPage } from "./AppPage.tsx";

export const plugin = new AppPlugin<object>().setRootPage(AppPage);
