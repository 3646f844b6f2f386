/** Grafana's TemplateSrv as the preview provides it: no dashboard variables, so text passes through. */
import type { TemplateSrv } from "@grafana/runtime";

export function previewTemplateSrv(): TemplateSrv {
  return {
    getVariables: () => [],
    replace: (target?: string) => target ?? "",
    containsTemplate: () => false,
    updateTimeRange: () => {},
  };
}
