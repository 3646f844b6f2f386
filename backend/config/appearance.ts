/** Default colour and icon of an entity: stable across restarts and machines, derived from its name. */
import { createHash } from "node:crypto";

const PALETTE = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316"];

export function defaultColor(name: string): string {
  const digest = createHash("md5").update(name).digest();
  return PALETTE[digest.readUInt32BE(0) % PALETTE.length]!;
}

/**
 * Names of Grafana's own icons (the panel draws them; an emoji needs an emoji font, which many Linux
 * browsers lack). A configured `icon` may still be an emoji, or any of Grafana's icon names.
 */
const ICONS: [RegExp, string][] = [
  [/line|item/i, "list-ul"],
  [/order|purchase|cart/i, "cube"],
  [/customer|user|account|person|member/i, "user"],
  [/payment|invoice|transaction|charge/i, "credit-card"],
  [/product|part|sku|article/i, "tag-alt"],
  [/ship|delivery|shipment/i, "compass"],
  [/event|log|audit/i, "file-alt"],
  [/message|mail|notification/i, "envelope"],
  [/supplier|vendor/i, "building"],
];

export function defaultIcon(name: string): string {
  return ICONS.find(([re]) => re.test(name))?.[1] ?? "table";
}
