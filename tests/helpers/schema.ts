/** Test tables in each SQL family: the same columns, so one test body runs on every database. */
import type { DbKind } from "./databases.ts";

export function isMysqlFamily(kind: string): boolean {
  return kind === "mariadb" || kind === "mysql";
}

/** `orders` and `order_line_items` with the value types the contract promises to keep JSON-safe. */
export function contractSchema(kind: DbKind | string): string {
  if (isMysqlFamily(kind)) {
    return `
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32) NOT NULL, total DECIMAL(12,2), big BIGINT, d DATE,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
CREATE TABLE order_line_items (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32) NOT NULL, qty INT) ENGINE=InnoDB;`;
  }
  return `
CREATE TABLE orders (id bigserial PRIMARY KEY, order_key text NOT NULL, total numeric(12,2), big bigint, d date,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_line_items (id bigserial PRIMARY KEY, order_key text NOT NULL, qty integer);`;
}

export function insertOrders(from: number, count: number): string {
  const values = Array.from({ length: count }, (_, i) => `('O-${from + i}', ${(from + i) * 1.5}, 9007199254740993, '2024-10-29')`);
  return `INSERT INTO orders (order_key, total, big, d) VALUES ${values.join(", ")}`;
}

export const CONTRACT_YAML = `
polling: { interval_ms: 100 }
server: { stats_interval_ms: 300 }
entities:
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total], max_records: 50 }
  - { name: OrderLineItem, table: order_line_items }
`;
