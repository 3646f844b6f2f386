/**
 * An entity's icon: one of Grafana's icons when the configuration names one (the backend's default
 * does), else the configured text as it is — an emoji still works, where the system has an emoji font
 * (Debian's Chromium has none, hence Grafana's icons by default).
 */
import { isIconName } from "@grafana/data";
import { Icon } from "@grafana/ui";

export function EntityIcon({ icon, size = "md" }: { icon: string; size?: "sm" | "md" | "lg" }) {
  if (isIconName(icon)) return <Icon name={icon} size={size} aria-hidden="true" />;
  return <span aria-hidden="true">{icon}</span>;
}
