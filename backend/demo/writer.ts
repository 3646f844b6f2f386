/**
 * The demo writer: inserts TPC-H-like orders, each with its line items in the same transaction, at a
 * steady rate. Every value is generated here (no outside input), so statements are built as text.
 */
import type { Dialect } from "../db/dialect.ts";
import type { Logger } from "../log.ts";

const PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"];
const STATUSES = ["O", "F", "P"];

export interface DemoWriter {
  stop(): Promise<void>;
  readonly written: number;
}

function pick<T>(xs: T[]): T {
  return xs[Math.floor(Math.random() * xs.length)]!;
}

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function orderStatement(n: number, lines: number, mysql: boolean): string {
  const orderKey = `ORDER-${String(n).padStart(7, "0")}`;
  const items = Array.from({ length: lines }, (_, i) => {
    const qty = 1 + Math.floor(Math.random() * 50);
    const price = (qty * (900 + Math.random() * 1100)).toFixed(2);
    return { sql: `('${orderKey}', ${i + 1}, 'PART-${String(Math.floor(Math.random() * 20000)).padStart(5, "0")}', 'SUPP-${String(Math.floor(Math.random() * 1000)).padStart(4, "0")}', ${qty}, ${price}, ${(Math.random() * 0.1).toFixed(2)}, '${day(Math.floor(Math.random() * 30))}')`, price: Number(price) };
  });
  const total = items.reduce((s, i) => s + i.price, 0) || Math.random() * 10000;
  const begin = mysql ? "START TRANSACTION" : "BEGIN";
  return [
    begin,
    `INSERT INTO orders (order_key, customer_key, order_status, total_price, order_date, order_priority, clerk) VALUES ('${orderKey}', 'CUST-${String(Math.floor(Math.random() * 1500)).padStart(4, "0")}', '${pick(STATUSES)}', ${total.toFixed(2)}, '${day(0)}', '${pick(PRIORITIES)}', 'Clerk#${String(Math.floor(Math.random() * 1000)).padStart(9, "0")}')`,
    ...(items.length ? [`INSERT INTO order_line_items (order_key, line_number, part_key, supplier_key, quantity, extended_price, discount, ship_date) VALUES ${items.map((i) => i.sql).join(", ")}`] : []),
    "COMMIT",
  ].join(";\n");
}

export function startDemoWriter(dialect: Dialect, options: { ordersPerSecond: number; linesPerOrder: number; log: Logger }): DemoWriter {
  const mysql = dialect.name === "mysql" || dialect.name === "mariadb";
  let written = 0;
  let stopped = false;
  let due = 0;
  let last = Date.now();
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const now = Date.now();
    due += ((now - last) / 1000) * options.ordersPerSecond;
    last = now;
    while (due >= 1 && !stopped) {
      due -= 1;
      const lines = Math.max(0, options.linesPerOrder + Math.floor(Math.random() * 3) - 1);
      try {
        await dialect.execute(orderStatement(written + 1, lines, mysql));
        written++;
      } catch (e) {
        options.log.warn("demo writer insert failed", { error: (e as Error).message });
        break;
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, 50);
  return {
    get written() {
      return written;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
