/**
 * The part of JSON Schema (draft-07) that Grafana's plugin.json schema uses — type, required, properties,
 * additionalProperties, items, enum, pattern, minItems, minLength and the uri/email formats — so that a
 * manifest is checked against that schema offline, as the plugin-validator's metadatavalid pass checks it
 * with gojsonschema. Errors read like gojsonschema's: `info.links.0.url: Does not match format 'uri'`.
 */
export interface Schema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  minItems?: number;
  minLength?: number;
  format?: string;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function formatError(value: string, format: string): string | null {
  // An absolute URI: a scheme, then something.
  if (format === "uri") return /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value) ? null : "Does not match format 'uri'";
  if (format === "email") return /^[^@\s]+@[^@\s]+$/.test(value) ? null : "Does not match format 'email'";
  return null;
}

/** Every violation of `schema` by `value`, each as `<field>: <description>`; none when it is valid. */
export function validate(value: unknown, schema: Schema, field = "(root)"): string[] {
  const errors: string[] = [];
  const child = (key: string | number) => (field === "(root)" ? String(key) : `${field}.${key}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) return [`${field}: Invalid type. Expected: ${types.join(", ")}, given: ${typeOf(value)}`];
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${field}: ${field} must be one of the following: ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof value === "string") {
    // Without the u flag: the schema's patterns escape `-` outside classes, as Go's RE2 allows.
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) errors.push(`${field}: Does not match pattern '${schema.pattern}'`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) errors.push(`${field}: String length must be greater than or equal to ${schema.minLength}`);
    const f = schema.format ? formatError(value, schema.format) : null;
    if (f) errors.push(`${field}: ${f}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${field}: Array must have at least ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validate(item, schema.items!, child(i))));
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${field}: ${key} is required`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) errors.push(...validate(v, sub, child(key)));
      else if (schema.additionalProperties === false) errors.push(`${field}: Additional property ${key} is not allowed`);
      else if (typeof schema.additionalProperties === "object") errors.push(...validate(v, schema.additionalProperties, child(key)));
    }
  }
  return errors;
}
