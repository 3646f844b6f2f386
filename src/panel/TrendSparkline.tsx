/**
 * An entity's inserts per minute over the last minutes, drawn by Grafana's own Sparkline (the one its
 * Stat panel draws), in the entity's colour. It is a picture to the eye and a sentence to a screen
 * reader; should the chart fail to draw (uPlot in an unusual browser), the card goes on without it.
 */
import { Component, useMemo, type ReactNode } from "react";
import { FieldColorModeId, FieldType, type FieldSparkline } from "@grafana/data";
import { Sparkline, useTheme2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import type { TrendPoint } from "../shared/types.ts";

class Guard extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? null : this.props.children;
  }
}

export interface TrendSparklineProps {
  entity: string;
  points: TrendPoint[];
  color: string;
  width: number;
  height: number;
}

export function trendLabel(points: TrendPoint[]): string {
  const values = points.map((p) => Math.round(p.perMinute));
  const latest = values[values.length - 1] ?? 0;
  const minutes = points.length > 1 ? Math.max(1, Math.round((points[points.length - 1]!.time - points[0]!.time) / 60_000)) : 0;
  return `Inserts per minute over the last ${minutes} ${minutes === 1 ? "minute" : "minutes"}: now ${latest}, highest ${Math.max(0, ...values)}`;
}

export function TrendSparkline({ entity, points, color, width, height }: TrendSparklineProps) {
  const theme = useTheme2();
  const sparkline = useMemo<FieldSparkline>(() => {
    const values = points.map((p) => p.perMinute);
    const min = 0;
    const max = Math.max(1, ...values);
    return {
      x: { name: "time", type: FieldType.time, values: points.map((p) => p.time), config: {} },
      y: { name: "inserts per minute", type: FieldType.number, values, config: {}, state: { range: { min, max, delta: max - min } } },
    };
  }, [points]);
  const config = useMemo(
    () => ({ color: { mode: FieldColorModeId.Fixed, fixedColor: color }, custom: { lineWidth: 1, fillOpacity: 25, lineInterpolation: "smooth", showPoints: "never" } }),
    [color],
  );
  if (points.length < 2) return null;
  return (
    <span role="img" aria-label={trendLabel(points)} title={trendLabel(points)} data-testid={TEST_IDS.panel.trend(entity)} style={{ display: "inline-flex", width, height }}>
      <Guard>
        <Sparkline theme={theme} width={width} height={height} sparkline={sparkline} config={config as never} />
      </Guard>
    </span>
  );
}
