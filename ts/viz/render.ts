// Renders Vega and Vega-Lite specs to SVG strings headlessly (no DOM, no canvas, no network).

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart: a Vega-Lite spec (compiled first) or a raw Vega spec (contours need Vega's transforms). */
export type ChartSpec = { vegaLite: TopLevelSpec } | { vega: vega.Spec };

/** The chart as a standalone <svg> string. */
export async function toSvg(chart: ChartSpec): Promise<string> {
  const spec = 'vegaLite' in chart ? compile(chart.vegaLite).spec : chart.vega;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
