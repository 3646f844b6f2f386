/**
 * The cards' grid: as many columns as fit (at least CARD_MIN_WIDTH each), and more room for busy
 * entities — the busiest span two columns and get a taller table, while an idle card is only as tall as
 * its few rows. "Busy" is read from the inserts of the last minute, relative to the busiest entity.
 */
import type { EntityView } from "./model.ts";

export const GAP = 8;
export const CARD_MIN_WIDTH = 340;
const MAX_COLUMNS = 4;
/** A table row's height in px (the table's own style keeps to it), for the table heights below. */
export const ROW_HEIGHT = 29;
/** Rows an ordinary card shows before its table scrolls. */
const ORDINARY_ROWS = 8;

export interface CardLayout {
  /** Grid columns the card spans. */
  span: number;
  /** The table's maximum height in px; it scrolls beyond. */
  tableMaxHeight: number;
  busy: boolean;
}

/** The grid's columns at `width` px, for `cards` cards (never more columns than cards). */
export function gridColumns(width: number, cards = MAX_COLUMNS): number {
  return Math.max(1, Math.min(MAX_COLUMNS, cards, Math.floor((width + GAP) / (CARD_MIN_WIDTH + GAP))));
}

function load(view: EntityView): number {
  return view.stats?.inserts_last_minute ?? 0;
}

/** Each card's place in a grid of `columns` columns, in a panel `height` px tall. */
export function cardLayouts(views: EntityView[], columns: number, height: number): Map<string, CardLayout> {
  const busiest = Math.max(0, ...views.map(load));
  const ranked = [...views].filter((v) => busiest > 0 && load(v) * 2 >= busiest).sort((a, b) => load(b) - load(a));
  // Wide cards only in a grid of three columns or more (in two, a wide card would leave a half row
  // empty), never more than half the columns, and only when some cards are not busy: otherwise there is
  // nothing to give room to.
  const wide = columns >= 3 && ranked.length < views.length ? new Set(ranked.slice(0, Math.max(1, Math.floor(columns / 2))).map((v) => v.name)) : new Set<string>();
  const busy = new Set(ranked.map((v) => v.name));
  const span = (v: EntityView) => (wide.has(v.name) ? Math.min(2, columns) : 1);
  const ordinary = ROW_HEIGHT * (ORDINARY_ROWS + 1);
  // Cards that all fit in one line of the grid share the panel's height; otherwise the busy ones get most of it.
  const oneLine = views.reduce((sum, v) => sum + span(v), 0) <= columns;
  const full = Math.max(ordinary, height - 130);
  const tall = Math.max(ordinary, Math.floor(height * 0.6));
  return new Map(views.map((v) => [v.name, { span: span(v), tableMaxHeight: oneLine ? full : busy.has(v.name) ? tall : ordinary, busy: busy.has(v.name) }]));
}
