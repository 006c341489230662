// Charts that change while the page runs: a Vega view rendered to SVG in a page element, whose
// named data sets the page replaces or extends (the specs are the reports' own, from ts/viz).

import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from '../ts/viz/render.js';

export class LiveChart {
  private readonly view: vega.View;
  private pending: Promise<unknown>;

  constructor(element: HTMLElement, chart: ChartSpec) {
    const spec = 'vegaLite' in chart ? compile(chart.vegaLite).spec : chart.vega;
    this.view = new vega.View(vega.parse(spec), { renderer: 'svg', container: element, hover: false });
    this.pending = this.view.runAsync();
  }

  /** Appends rows to the data set `name` and redraws. */
  insert(name: string, rows: object[]): Promise<unknown> {
    return this.update(() => this.view.insert(name, rows));
  }

  /** Replaces the rows of the data set `name` and redraws. */
  replace(name: string, rows: object[]): Promise<unknown> {
    return this.update(() => this.view.data(name, rows));
  }

  rows(name: string): object[] {
    return this.view.data(name) as object[];
  }

  finalize(): void {
    this.view.finalize();
  }

  // Dataflow runs must not overlap: each change waits for the previous redraw.
  private update(change: () => void): Promise<unknown> {
    this.pending = this.pending.then(() => { change(); return this.view.runAsync(); });
    return this.pending;
  }
}
