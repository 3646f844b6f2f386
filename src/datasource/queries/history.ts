/**
 * History: the rows of the dashboard's time range, newest `limit` of them, from `/records`. When the
 * range ends at "now" the frames keep growing from each entity's live stream, without gap or duplicate
 * (HistoryFollower, in src/client/, does that; this makes its rows frames).
 */
import { LoadingState, type DataQueryResponse, type TimeRange } from "@grafana/data";
import { Observable } from "rxjs";
import { HistoryFollower } from "../../client/history-follower.ts";
import type { TimeBounds } from "../../client/records-pager.ts";
import type { NomnomFrameMeta } from "../../shared/types.ts";
import { entityMeta, rowsFrame, selectedFields } from "../frames.ts";
import { Lifetime, throttle } from "../lifetime.ts";
import { connectionNotices, explain } from "../messages.ts";
import { EMIT_EVERY_MS, respond, withEntities, type QueryContext, type ResolvedQuery } from "./context.ts";

const HISTORY_DEFAULT_LIMIT = 5000;

/** Whether the range ends now (within 10 s: a range picked as absolute times up to now counts). */
function followsNow(range: TimeRange | undefined): boolean {
  return !range || range.raw.to === "now" || Math.abs(range.to.valueOf() - Date.now()) < 10_000;
}

export function historyStream(ctx: QueryContext, q: ResolvedQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
  return new Observable<DataQueryResponse>((sub) => {
    const life = new Lifetime();
    const client = ctx.live;
    const fail = (e: unknown) => {
      if (life.stopped) return;
      sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: explain(e, ctx.backendUrl), refId: q.refId }] });
      sub.complete();
      life.stop();
    };
    withEntities(ctx, q, key, sub, life, (infos) => {
      const usable = infos.filter((e) => e.timestamp);
      if (q.entity && usable.length === 0) {
        sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: `Entity "${q.entity}" has no timestamp column, so it has no history by time: set \`timestamp:\` for it in the backend's YAML.`, refId: q.refId }] });
        sub.complete();
        return;
      }
      const follow = followsNow(range);
      const limit = Math.max(1, q.limit ?? HISTORY_DEFAULT_LIMIT);
      // Following, the range has no end: rows up to the history's cursor, then the stream's.
      const bounds: TimeBounds = { ...(range ? { from: range.from.toISOString() } : {}), ...(range && !follow ? { to: range.to.toISOString() } : {}) };
      const followers = new Map<string, HistoryFollower>();
      const emit = throttle(
        () => {
          if (![...followers.values()].every((f) => f.loaded)) return;
          const notices = follow ? connectionNotices(client.state) : [];
          const frames = usable.map((info) => {
            const f = followers.get(info.name)!;
            const meta: NomnomFrameMeta = { kind: "history", entity: entityMeta(info), connection: client.state, received: f.received };
            return rowsFrame(info, f.rows, q.refId, selectedFields(info, q.fields), meta, notices);
          });
          sub.next(follow ? respond(client, key, frames, []) : { key, data: frames, state: LoadingState.Done });
        },
        EMIT_EVERY_MS,
        life,
      );
      for (const info of usable) {
        const follower = new HistoryFollower({ info, api: ctx.api, live: follow ? client : undefined, range: bounds, limit, onChange: emit, onError: fail });
        followers.set(info.name, follower);
        life.add(() => follower.stop());
        follower.start();
      }
      if (follow) life.add(client.onStatus(emit));
      if (usable.length === 0) sub.next({ key, state: LoadingState.Done, data: [] });
    });
    return () => life.stop();
  });
}
