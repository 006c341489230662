// Chart specs of the reports: curves per optimizer, grouped bars, the Dolan–Moré performance profile, and a
// filled contour map (toy functions, loss landscapes) with optional trajectories on top.
// Specs are plain data, so a browser page can render the same ones live.

import type { TopLevelSpec } from 'vega-lite';
import type * as vega from 'vega';
import type { ChartSpec } from './render.js';

const WIDTH = 420, HEIGHT = 260;

/** A point of series `series`; `group` splits one series into several lines (e.g. one per seed). */
export interface Point { series: string; x: number; y: number; group?: string }

/** One line per series (optimizer), e.g. validation accuracy against epochs or seconds. */
export function lineChart(title: string, points: Point[], axes: { x: string; y: string; logX?: boolean; logY?: boolean }): { vegaLite: TopLevelSpec } {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: WIDTH, height: HEIGHT, background: 'white',
    data: { values: points },
    mark: { type: 'line', point: points.length <= 200, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes.x, scale: axes.logX ? { type: 'log' } : {} },
      y: { field: 'y', type: 'quantitative', title: axes.y, scale: axes.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 360 } },
      detail: { field: 'group', type: 'nominal' },
    },
  };
  return { vegaLite: spec };
}

/** Dolan–Moré profile as steps: for each solver, the fraction of problems solved within τ × best. */
export function profileChart(title: string, points: Point[]): ChartSpec {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: WIDTH, height: HEIGHT, background: 'white',
    data: { values: points },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'τ (time ÷ best time on the problem)', scale: { type: 'log', base: 2 } },
      y: { field: 'y', type: 'quantitative', title: 'fraction of problems solved', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 360 } },
    },
  };
  return { vegaLite: spec };
}

/** A bar of category `x` for series `series` (bars of one category sit side by side). */
export interface Bar { series: string; x: string; y: number }

/** Grouped bars: one group per category, one coloured bar per series (e.g. accuracy per attack). */
export function barChart(title: string, bars: Bar[], axes: { x: string; y: string; logY?: boolean }): ChartSpec {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: WIDTH, height: HEIGHT, background: 'white',
    data: { values: bars },
    mark: 'bar',
    encoding: {
      x: { field: 'x', type: 'nominal', title: axes.x, sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'y', type: 'quantitative', title: axes.y, scale: axes.logY ? { type: 'log' } : {} },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 360 } }, // sorted by name, as lineChart's: one colour per series
    },
  };
  return { vegaLite: spec };
}

export interface Grid {
  /** Row-major values, row 0 at y = yRange[1] (the top), sampled at cell centres. */
  values: number[];
  nx: number;
  ny: number;
  xRange: [number, number];
  yRange: [number, number];
}

/** Samples f over a window at cell centres, top row first (the layout isocontour expects). */
export function sampleGrid(f: (x: number, y: number) => number, xRange: [number, number], yRange: [number, number], n = 80): Grid {
  const values: number[] = [];
  for (let j = 0; j < n; j++) {
    const y = yRange[1] - ((j + 0.5) / n) * (yRange[1] - yRange[0]);
    for (let i = 0; i < n; i++) values.push(f(xRange[0] + ((i + 0.5) / n) * (xRange[1] - xRange[0]), y));
  }
  return { values, nx: n, ny: n, xRange, yRange };
}

/** Contour levels at quantiles of the sampled values, so steep and flat functions both show structure. */
export function quantileLevels(values: number[], count: number): number[] {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const levels = new Set<number>();
  for (let k = 0; k < count; k++) levels.add(finite[Math.floor((k / count) * (finite.length - 1))]);
  return [...levels];
}

export interface Overlay { paths?: Point[]; markers?: { label: string; x: number; y: number }[] }

/** Filled contour map of a grid (vega isocontour), with trajectories and markers drawn over it. */
export function contourChart(title: string, grid: Grid, axes: { x: string; y: string }, overlay: Overlay = {}, levels = 18): ChartSpec {
  const thresholds = quantileLevels(grid.values, levels);
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title, width: HEIGHT + 40, height: HEIGHT + 40, padding: 5, autosize: 'pad', background: 'white',
    signals: [{ name: 'levels', value: thresholds }],
    data: [
      { name: 'grid', values: [{ width: grid.nx, height: grid.ny, values: grid.values }] },
      { name: 'contours', source: 'grid', transform: [{ type: 'isocontour', thresholds, scale: { expr: `width / ${grid.nx}` } },
        { type: 'formula', as: 'level', expr: 'indexof(levels, datum.contour.value)' }] },
      { name: 'paths', values: overlay.paths ?? [] },
      { name: 'markers', values: overlay.markers ?? [] },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: grid.xRange, range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: grid.yRange, range: 'height', zero: false, nice: false },
      { name: 'fill', type: 'linear', domain: [0, Math.max(1, thresholds.length - 1)], range: { scheme: 'viridis' } },
      { name: 'color', type: 'ordinal', domain: { data: 'paths', field: 'series', sort: true }, range: 'category' },
    ],
    axes: [{ orient: 'bottom', scale: 'x', title: axes.x }, { orient: 'left', scale: 'y', title: axes.y }],
    legends: overlay.paths?.length ? [{ stroke: 'color', orient: 'right', symbolType: 'stroke' }] : [],
    marks: [
      { type: 'path', from: { data: 'contours' }, clip: true,
        encode: { enter: { fill: { scale: 'fill', field: 'level' }, fillOpacity: { value: 0.85 },
          stroke: { value: '#ffffff' }, strokeWidth: { value: 0.4 }, strokeOpacity: { value: 0.6 } } },
        transform: [{ type: 'geopath', field: 'datum.contour' }] },
      { type: 'group', from: { facet: { name: 'path', data: 'paths', groupby: 'series' } }, clip: true,
        encode: { enter: { width: { signal: 'width' }, height: { signal: 'height' } } },
        // a white casing under each line keeps dark colours visible on the dark (low) levels
        marks: [{ type: 'line', name: 'trajectory-casing', from: { data: 'path' },
          encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' },
            stroke: { value: 'white' }, strokeOpacity: { value: 0.75 }, strokeWidth: { value: 4 } } } },
        { type: 'line', name: 'trajectory', from: { data: 'path' },
          encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' },
            stroke: { scale: 'color', field: 'series' }, strokeWidth: { value: 2 } } } }] },
      { type: 'symbol', from: { data: 'markers' },
        encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'cross' },
          size: { value: 90 }, fill: { value: '#ff3030' }, stroke: { value: 'white' }, strokeWidth: { value: 0.8 },
          tooltip: { field: 'label' } } } },
    ],
  };
  return { vega: spec };
}
