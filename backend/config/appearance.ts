/** Default colour and icon of an entity: stable across restarts and machines, derived from its name. */
import { createHash } from "node:crypto";

const PALETTE = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316"];

export function defaultColor(name: string): string {
  const digest = createHash("md5").update(name).digest();
  return PALETTE[digest.readUInt32BE(0) % PALETTE.length]!;
}

const ICONS: [RegExp, string][] = [
  [/line|item/i, "📄"],
  [/order|purchase|cart/i, "📦"],
  [/customer|user|account|person|member/i, "👤"],
  [/payment|invoice|transaction|charge/i, "💳"],
  [/product|part|sku|article/i, "🏷️"],
  [/ship|delivery|shipment/i, "🚚"],
  [/event|log|audit/i, "📝"],
  [/message|mail|notification/i, "✉️"],
  [/supplier|vendor/i, "🏭"],
];

export function defaultIcon(name: string): string {
  return ICONS.find(([re]) => re.test(name))?.[1] ?? "🗂️";
}
