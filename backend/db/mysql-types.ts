/**
 * MySQL/MariaDB column types as the API's field types (information_schema.COLUMNS' DATA_TYPE and
 * COLUMN_TYPE). BOOLEAN is TINYINT(1); MariaDB's JSON is told apart from LONGTEXT by the dialect.
 */
import type { FieldType } from "../../contract/rest.ts";
import { integerRange, type KeyRange } from "./key-range.ts";

export function mysqlFieldType(dataType: string, columnType: string): FieldType {
  switch (dataType.toLowerCase()) {
    case "tinyint":
      return /^tinyint\(1\)/i.test(columnType) ? "boolean" : "integer";
    case "smallint":
    case "mediumint":
    case "int":
    case "integer":
    case "bigint":
    case "year":
      return "integer";
    case "float":
    case "double":
    case "real":
      return "float";
    case "decimal":
    case "numeric":
      return "decimal";
    case "date":
      return "date";
    case "datetime":
    case "timestamp":
      return "datetime";
    case "json":
      return "json";
    default:
      return "string";
  }
}

const INTEGER_BITS: Record<string, number> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, integer: 32, bigint: 64 };

/** The values of an integer column: its size from DATA_TYPE, its sign from COLUMN_TYPE (`bigint(20) unsigned`). */
export function mysqlIntegerRange(dataType: string, columnType: string): KeyRange | undefined {
  const bits = INTEGER_BITS[dataType.toLowerCase()];
  return bits === undefined ? undefined : integerRange(bits, /\bunsigned\b/i.test(columnType), columnType);
}
