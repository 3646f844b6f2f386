/**
 * The demo's TPC-H-like tables, per SQL family. On the PostgreSQL family they carry the wake triggers
 * (pg-wake-sql.ts), so `polling.wake: auto` rings on commit and the demo shows rows as they commit.
 */
import { postgresWakeStatements } from "../db/pg-wake-sql.ts";

/** The entities of examples/tpch that the demo writes to. */
const DEMO_ENTITIES = [
  { name: "Order", table: "orders" },
  { name: "OrderLineItem", table: "order_line_items" },
];

export function demoSchema(dialect: string): string {
  if (dialect === "mysql" || dialect === "mariadb") {
    return `
CREATE TABLE IF NOT EXISTS orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32) NOT NULL, customer_key VARCHAR(32) NOT NULL,
  order_status CHAR(1) NOT NULL, total_price DECIMAL(12,2) NOT NULL, order_date DATE NOT NULL,
  order_priority VARCHAR(16) NOT NULL, clerk VARCHAR(32) NOT NULL, created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS order_line_items (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32) NOT NULL, line_number INT NOT NULL, part_key VARCHAR(32) NOT NULL,
  supplier_key VARCHAR(32) NOT NULL, quantity INT NOT NULL, extended_price DECIMAL(12,2) NOT NULL, discount DECIMAL(4,2) NOT NULL,
  ship_date DATE NOT NULL, created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;`;
  }
  return `
CREATE TABLE IF NOT EXISTS orders (
  id bigserial PRIMARY KEY, order_key text NOT NULL, customer_key text NOT NULL, order_status char(1) NOT NULL,
  total_price numeric(12,2) NOT NULL, order_date date NOT NULL, order_priority text NOT NULL, clerk text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS order_line_items (
  id bigserial PRIMARY KEY, order_key text NOT NULL, line_number integer NOT NULL, part_key text NOT NULL,
  supplier_key text NOT NULL, quantity integer NOT NULL, extended_price numeric(12,2) NOT NULL, discount numeric(4,2) NOT NULL,
  ship_date date NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);
${postgresWakeStatements(DEMO_ENTITIES).join(";\n")};`;
}
