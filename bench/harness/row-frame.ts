/** The row frame the ws-ceiling broadcasts: nomnom-live's per-row message (the seed fields plus `type` and `id`), built once. */
export function seedRowFrame(row: Record<string, unknown>): string {
  return `{"type":"insert","entity":"Order","event_type":"insert","data":${JSON.stringify(row)},"timestamp":"${new Date().toISOString()}","id":${Number(row.id)}}`;
}
