// Plot primitives for the report and the claims' report sections (paper Figures 2-6 and Table 3 as charts),
// generic: they know no claim. Drawn by a real plotting library rather than by hand: each plot is a vega-lite
// spec (kept, so a reader can re-render or restyle it), compiled to vega, rendered headless to SVG by a
// vega View, and rasterised to PNG by resvg with a local font (no network, no browser). Plot input is
// validated up front; bad input (empty, non-finite, non-positive on a log axis) is a ConfigError that says
// which row and field. Image grids (generated samples) are plain pixels, written with pngjs.

import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { logger, parse, View, Warn } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ConfigError } from '../errors.ts';

/** A rendered plot: the vega-lite spec it came from, its SVG, its PNG, and any warnings from vega. */
export interface Plot {
  spec: TopLevelSpec;
  svg: string;
  png: Uint8Array;
  warnings: string[];
}

export interface RenderOptions {
  /** PNG pixels per SVG unit (default 2: sharp text in a markdown report). */
  scale?: number;
}

const TRAIN_COLOR = '#1f77b4';
const HELDOUT_COLOR = '#d62728';
const RULE_COLOR = '#555555';
const PANEL = { width: 360, height: 240 };

/** Log-axis labels: SI prefixes for counts (1k, 10k), plain numbers below 1 (0.05, not "50m"). */
function logAxis(min: number): object {
  return { format: min >= 1 ? '~s' : '~g', grid: true };
}
const LOG_SCALE = { type: 'log', nice: false };

function bad(code: string, message: string): never {
  throw new ConfigError(code, message);
}

// ---------------------------------------------------------------------------------------------------------
// Fonts: resvg draws text only with a font it has loaded. Prefer a known sans font file found on disk;
// otherwise let resvg load whatever the system has (possibly nothing: the plot then renders without text).

const FONT_DIRS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  join(homedir(), '.fonts'),
  join(homedir(), '.local/share/fonts'),
  '/System/Library/Fonts',
  '/Library/Fonts',
  'C:\\Windows\\Fonts',
];
const PREFERRED_FONTS: Array<{ file: string; family: string }> = [
  { file: 'DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: 'LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { file: 'NotoSans-Regular.ttf', family: 'Noto Sans' },
  { file: 'Arial.ttf', family: 'Arial' },
  { file: 'arial.ttf', family: 'Arial' },
  { file: 'Helvetica.ttc', family: 'Helvetica' },
];

/** The font the PNGs use: a family and the directory its files were loaded from, or null (system fonts). */
export interface PlotFont {
  family: string;
  dir: string;
}

function findFile(dir: string, names: Set<string>, depth: number): string | null {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) if (e.isFile() && names.has(e.name)) return join(dir, e.name);
  if (depth === 0) return null;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = findFile(join(dir, e.name), names, depth - 1);
    if (found) return found;
  }
  return null;
}

let cachedFont: PlotFont | null | undefined;

/** Finds a preferred sans font on this machine (searched once per process). */
export function plotFont(): PlotFont | null {
  if (cachedFont !== undefined) return cachedFont;
  cachedFont = null;
  const names = new Set(PREFERRED_FONTS.map((f) => f.file));
  for (const root of FONT_DIRS.filter((d) => existsSync(d))) {
    const path = findFile(root, names, 3);
    if (!path) continue;
    const file = path.slice(dirname(path).length + 1);
    cachedFont = { family: PREFERRED_FONTS.find((f) => f.file === file)!.family, dir: dirname(path) };
    break;
  }
  return cachedFont;
}

function resvgFontOptions(): NonNullable<ResvgRenderOptions['font']> {
  const font = plotFont();
  if (font === null) return { loadSystemFonts: true };
  return { loadSystemFonts: false, fontDirs: [font.dir], defaultFontFamily: font.family, sansSerifFamily: font.family };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** Compiles a vega-lite spec and renders it headless to SVG; vega warnings are returned, not printed. */
export async function renderSvgWithWarnings(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const warnings: string[] = [];
  const log = logger(Warn, undefined, (_method, _level, args) => warnings.push(args.map(String).join(' ')));
  const vg = compile(spec, { logger: log }).spec;
  const view = new View(parse(vg), { renderer: 'none', logger: log });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderSvgWithWarnings(spec)).svg;
}

/** The widest PNG the report holds (issue 29): a wider figure is drawn at a smaller scale, never cropped. */
export const MAX_PNG_WIDTH = 1600;

/** Rasterises an SVG to PNG bytes on a white background, at `scale` pixels per SVG unit or less (at most MAX_PNG_WIDTH pixels wide). */
export function renderPng(svg: string, options: RenderOptions = {}): Uint8Array {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) bad('plot-scale', `PNG scale must be in (0, 16], got ${scale}`);
  const font = resvgFontOptions();
  const natural = new Resvg(svg, { font, logLevel: 'off' }).width;
  const zoom = natural > 0 ? Math.min(scale, MAX_PNG_WIDTH / natural) : scale;
  const resvg = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: zoom }, font, logLevel: 'off' });
  return new Uint8Array(resvg.render().asPng());
}

/** Renders a vega-lite spec to SVG and PNG. */
export async function renderPlot(spec: TopLevelSpec, options: RenderOptions = {}): Promise<Plot> {
  const { svg, warnings } = await renderSvgWithWarnings(spec);
  return { spec, svg, png: renderPng(svg, options), warnings };
}

// ---------------------------------------------------------------------------------------------------------
// Input checks

function requireRows(rows: readonly unknown[], what: string): void {
  if (!Array.isArray(rows) || rows.length === 0) bad('plot-empty', `${what}: no data to plot (got ${Array.isArray(rows) ? 'an empty array' : typeof rows})`);
}

function requireFinite(value: unknown, what: string, index: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    bad('plot-value', `${what}: row ${index} field "${field}" must be a finite number, got ${String(value)}`);
  return value;
}

function requirePositive(value: number, what: string, index: number, field: string): void {
  if (value <= 0) bad('plot-log-scale', `${what}: row ${index} field "${field}" is ${value}, a log axis needs values > 0`);
}

function requireTitle(title: unknown, what: string): string {
  if (typeof title !== 'string' || title.trim() === '') bad('plot-title', `${what}: a non-empty title is required`);
  return title;
}

/** A y value: finite numbers are plotted; NaN/±Infinity/undefined/null are gaps (a diverged loss). */
function optionalY(value: unknown, what: string, index: number, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') bad('plot-value', `${what}: row ${index} field "${field}" must be a number, got ${typeof value}`);
  return Number.isFinite(value) ? value : null;
}

// ---------------------------------------------------------------------------------------------------------
// Vertical rules with labels (grokking steps, thresholds)

export interface RuleMark {
  x: number;
  label: string;
  /**
   * A short name drawn at the rule instead of the label; the labels of tagged rules are then listed under the
   * panel's title ("tag: label"), so long labels never run into the lines, each other or the legend.
   */
  tag?: string;
}

/**
 * Layers for dashed vertical rules with a text at the top (the tag, else the label); texts are staggered so
 * close rules stay readable, and a rule in the right half of [xMin, xMax] has its text on its left, inside the plot.
 */
function ruleLayers(rules: readonly RuleMark[], xField: string, xMin = -Infinity, xMax = Infinity): object[] {
  if (rules.length === 0) return [];
  const mid = Number.isFinite(xMin) && Number.isFinite(xMax) ? (xMin + xMax) / 2 : Infinity;
  const values = rules.map((r, i) => ({ [xField]: r.x, label: r.tag ?? r.label, ly: 10 + 12 * (i % 3), right: r.x > mid }));
  const text = (right: boolean) => ({
    data: { values: values.filter((v) => v.right === right) },
    mark: { type: 'text', align: right ? 'right' : 'left', dx: right ? -3 : 3, fontSize: 10, color: RULE_COLOR },
    encoding: { x: { field: xField, type: 'quantitative' }, y: { field: 'ly', type: 'quantitative', scale: null }, text: { field: 'label' } },
  });
  return [
    { data: { values }, mark: { type: 'rule', color: RULE_COLOR, strokeDash: [4, 3] }, encoding: { x: { field: xField, type: 'quantitative' } } },
    ...(values.some((v) => !v.right) ? [text(false)] : []),
    ...(values.some((v) => v.right) ? [text(true)] : []),
  ];
}

/** A chart title with the labels of its tagged rules under it (RuleMark.tag). */
function titleWithRules(title: string, rules: readonly RuleMark[]): string | { text: string; subtitle: string } {
  const tagged = rules.filter((r) => r.tag !== undefined);
  return tagged.length > 0 ? { text: title, subtitle: tagged.map((r) => `${r.tag}: ${r.label}`).join('; ') } : title;
}

function checkRules(rules: readonly RuleMark[], what: string, log: boolean): void {
  rules.forEach((r, i) => {
    const x = requireFinite(r.x, `${what} rules`, i, 'x');
    if (log) requirePositive(x, `${what} rules`, i, 'x');
    if (typeof r.label !== 'string') bad('plot-value', `${what} rules: row ${i} field "label" must be a string`);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Learning curves

export interface LearningCurveRow {
  step: number;
  trainLoss?: number;
  trainAcc?: number;
  heldoutAcc?: number;
  /** Held-out accuracy on the novel pairs (mirror (b, a) not trained); drawn in its own colour. */
  novelAcc?: number;
}

export interface LearningCurveOptions {
  title: string;
  /** Vertical rules at given steps, e.g. the step where held-out accuracy crosses a threshold. */
  marks?: Array<{ step: number; label: string }>;
  /**
   * Horizontal rules on the loss panel (the loss references). On a logarithmic loss axis a value ≤ 0 has no
   * place and is left out; its label still names it in the caption of the panel.
   */
  lossReferences?: Array<{ value: number; label: string }>;
}

interface CurvePoint {
  step: number;
  value: number | null;
  curve: string;
}

function curvePoints(rows: readonly LearningCurveRow[], what: string): { acc: CurvePoint[]; loss: CurvePoint[] } {
  const acc: CurvePoint[] = [];
  const loss: CurvePoint[] = [];
  rows.forEach((r, i) => {
    const step = requireFinite(r.step, what, i, 'step');
    if (step <= 0) return; // a log axis has no place for step 0
    const trainAcc = optionalY(r.trainAcc, what, i, 'trainAcc');
    const heldoutAcc = optionalY(r.heldoutAcc, what, i, 'heldoutAcc');
    const trainLoss = optionalY(r.trainLoss, what, i, 'trainLoss');
    const novelAcc = optionalY(r.novelAcc, what, i, 'novelAcc');
    if (r.trainAcc !== undefined) acc.push({ step, value: trainAcc, curve: 'train' });
    if (r.heldoutAcc !== undefined) acc.push({ step, value: heldoutAcc, curve: 'held-out' });
    if (r.novelAcc !== undefined) acc.push({ step, value: novelAcc, curve: NOVEL_CURVE });
    if (r.trainLoss !== undefined) loss.push({ step, value: trainLoss, curve: 'train' });
  });
  return { acc, loss };
}

const NOVEL_CURVE = 'novel held-out';
const NOVEL_COLOR = '#7b3294';
const curveColor = {
  field: 'curve',
  type: 'nominal',
  title: 'split',
  scale: { domain: ['train', 'held-out', NOVEL_CURVE], range: [TRAIN_COLOR, HELDOUT_COLOR, NOVEL_COLOR] },
};

/** Layers for dashed horizontal rules, labelled at the right end: alternately above and below the rule. */
function levelLayers(levels: ReadonlyArray<{ value: number; label: string }>): object[] {
  if (levels.length === 0) return [];
  const values = levels.map((l) => ({ level: l.value, label: l.label }));
  return [
    { data: { values }, mark: { type: 'rule', color: RULE_COLOR, strokeDash: [2, 2] }, encoding: { y: { field: 'level', type: 'quantitative' } } },
    ...values.map((v, i) => ({
      data: { values: [v] },
      mark: { type: 'text', align: 'right', baseline: i % 2 ? 'top' : 'bottom', dy: i % 2 ? 2 : -2, dx: -4, x: 'width', fontSize: 10, color: RULE_COLOR },
      encoding: { y: { field: 'level', type: 'quantitative' }, text: { field: 'label' } },
    })),
  ];
}

function curvePanel(
  points: CurvePoint[],
  yTitle: string,
  yScale: object,
  yAxis: object,
  rules: RuleMark[],
  levels: ReadonlyArray<{ value: number; label: string }> = [],
  caption?: string,
): object {
  return {
    ...PANEL,
    title: caption ? { text: yTitle, subtitle: caption } : yTitle,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', interpolate: 'linear', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step (log scale)', scale: LOG_SCALE, axis: logAxis(1) },
          y: { field: 'value', type: 'quantitative', title: yTitle, scale: yScale, axis: yAxis },
          color: curveColor,
        },
      },
      ...ruleLayers(rules, 'step'),
      ...levelLayers(levels),
    ],
  };
}

/**
 * The vega-lite spec of the learning curves: accuracy (train, held-out) and training loss against the step
 * on a log axis, side by side. Rows with step <= 0 are left out (no place on a log axis); a missing or
 * non-finite value is a gap. The loss axis is logarithmic when every plotted loss is > 0.
 */
export function learningCurveSpec(rows: readonly LearningCurveRow[], options: LearningCurveOptions): TopLevelSpec {
  const what = 'learning curve';
  const title = requireTitle(options.title, what);
  requireRows(rows, what);
  const rules = (options.marks ?? []).map((m) => ({ x: m.step, label: m.label }));
  checkRules(rules, what, true);
  const { acc, loss } = curvePoints(rows, what);
  const plotted = (p: CurvePoint[]) => p.some((q) => q.value !== null);
  if (!plotted(acc) && !plotted(loss)) bad('plot-empty', `${what}: no row has step > 0 and a finite trainAcc, heldoutAcc or trainLoss`);
  const panels: object[] = [];
  if (plotted(acc)) panels.push(curvePanel(acc, 'accuracy', { domain: [0, 1] }, { format: '.0%' }, rules));
  const levels = (options.lossReferences ?? []).map((l, i) => {
    const value = requireFinite(l.value, `${what} lossReferences`, i, 'value');
    if (typeof l.label !== 'string') bad('plot-value', `${what} lossReferences: row ${i} field "label" must be a string`);
    return { value, label: l.label };
  });
  if (plotted(loss)) {
    const logLoss = loss.every((p) => p.value === null || p.value > 0);
    const drawn = logLoss ? levels.filter((l) => l.value > 0) : levels;
    const left = levels.filter((l) => !drawn.includes(l));
    const caption = left.length > 0 ? `not drawn on the log axis: ${left.map((l) => l.label).join(', ')}` : undefined;
    panels.push(curvePanel(loss, 'training loss', logLoss ? { type: 'log' } : { zero: false }, logLoss ? { format: '.2~g' } : {}, rules, drawn, caption));
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, hconcat: panels, resolve: { scale: { color: 'shared' } } } as TopLevelSpec;
}

/** Learning curves rendered to SVG and PNG (see learningCurveSpec). */
export function learningCurvePlot(rows: readonly LearningCurveRow[], options: LearningCurveOptions & RenderOptions): Promise<Plot> {
  return renderPlot(learningCurveSpec(rows, options), options);
}

// ---------------------------------------------------------------------------------------------------------
// Bar chart

export interface BarRow {
  label: string;
  value: number;
  group?: string;
}

export interface AxisTitles {
  title: string;
  xTitle: string;
  yTitle: string;
}

/** Bars in the given order (FVE per frequency, ablation effects); with `group`, grouped and coloured bars. */
export function barChartSpec(rows: readonly BarRow[], options: AxisTitles): TopLevelSpec {
  const what = 'bar chart';
  const title = requireTitle(options.title, what);
  requireRows(rows, what);
  const values = rows.map((r, i) => {
    if (typeof r.label !== 'string' && typeof r.label !== 'number') bad('plot-value', `${what}: row ${i} field "label" must be a string`);
    return { label: String(r.label), value: requireFinite(r.value, what, i, 'value'), group: r.group ?? '' };
  });
  const grouped = rows.some((r) => r.group !== undefined);
  const labels = [...new Set(values.map((v) => v.label))];
  const encoding: Record<string, object> = {
    x: { field: 'label', type: 'nominal', title: options.xTitle, sort: labels, axis: { labelAngle: labels.length > 12 ? -45 : 0 } },
    y: { field: 'value', type: 'quantitative', title: options.yTitle },
  };
  if (grouped) {
    encoding.color = { field: 'group', type: 'nominal', title: 'group', sort: [...new Set(values.map((v) => v.group))] };
    encoding.xOffset = { field: 'group', type: 'nominal', sort: [...new Set(values.map((v) => v.group))] };
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    mark: { type: 'bar', color: TRAIN_COLOR },
    encoding,
  } as TopLevelSpec;
}

export function barChart(rows: readonly BarRow[], options: AxisTitles & RenderOptions): Promise<Plot> {
  return renderPlot(barChartSpec(rows, options), options);
}

// ---------------------------------------------------------------------------------------------------------
// Line chart

export interface LinePoint {
  x: number;
  y: number;
  series: string;
}

export interface LineChartOptions extends AxisTitles {
  xScale?: 'linear' | 'log';
  yDomain?: [number, number];
  rules?: RuleMark[];
}

/** Lines, one per series, with points when sparse (accuracy vs noise level, entropy vs timestep). */
export function lineChartSpec(points: readonly LinePoint[], options: LineChartOptions): TopLevelSpec {
  const what = 'line chart';
  const title = requireTitle(options.title, what);
  requireRows(points, what);
  const log = options.xScale === 'log';
  const values = points.map((p, i) => {
    const x = requireFinite(p.x, what, i, 'x');
    if (log) requirePositive(x, what, i, 'x');
    return { x, y: optionalY(p.y, what, i, 'y'), series: String(p.series) };
  });
  const rules = options.rules ?? [];
  checkRules(rules, what, log);
  const minX = Math.min(...values.map((v) => v.x), ...rules.map((r) => r.x));
  const series = [...new Set(values.map((v) => v.series))];
  const perSeries = values.length / series.length;
  const line = {
    data: { values },
    mark: { type: 'line', point: perSeries <= 40, strokeWidth: 1.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: log ? LOG_SCALE : { zero: false }, ...(log ? { axis: logAxis(minX) } : {}) },
      y: { field: 'y', type: 'quantitative', title: options.yTitle, ...(options.yDomain ? { scale: { domain: options.yDomain } } : {}) },
      color: { field: 'series', type: 'nominal', title: 'series', sort: series, legend: { labelLimit: 360 } },
    },
  };
  const maxX = Math.max(...values.map((v) => v.x), ...rules.map((r) => r.x));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleWithRules(title, rules),
    ...PANEL,
    layer: [line, ...ruleLayers(rules, 'x', minX, maxX)],
  } as TopLevelSpec;
}

export function lineChart(points: readonly LinePoint[], options: LineChartOptions & RenderOptions): Promise<Plot> {
  return renderPlot(lineChartSpec(points, options), options);
}

export interface LinePanel {
  readonly points: readonly LinePoint[];
  readonly options: LineChartOptions;
}

// ---------------------------------------------------------------------------------------------------------
// Trajectories coloured by a value (paper Figure 6b: FVE-entropy trajectories of the rectification paths,
// coloured by their final accuracy)

export interface TrajectoryPoint {
  x: number;
  y: number;
  /** Which trajectory the point belongs to (one line each). */
  trajectory: string;
  /** The trajectory's colour value (constant along it), e.g. its final accuracy. */
  value: number;
}

export interface TrajectoryChartOptions extends LineChartOptions {
  /** Legend title of the colour value. */
  valueTitle: string;
  /** Colour domain (default [0, 1]): red at the low end, green at the high end. */
  valueDomain?: [number, number];
  /** A line drawn over the trajectories in black with points (e.g. the curve through their starting points). */
  overlay?: ReadonlyArray<{ x: number; y: number }>;
}

/** One line per trajectory, coloured red → green by its value, with an optional black overlay and rules. */
export function trajectoryChartSpec(points: readonly TrajectoryPoint[], options: TrajectoryChartOptions): TopLevelSpec {
  const what = 'trajectory chart';
  const title = requireTitle(options.title, what);
  requireRows(points, what);
  const values = points.map((p, i) => ({
    x: requireFinite(p.x, what, i, 'x'),
    y: optionalY(p.y, what, i, 'y'),
    trajectory: String(p.trajectory),
    value: requireFinite(p.value, what, i, 'value'),
  }));
  const overlay = (options.overlay ?? []).map((p, i) => ({ x: requireFinite(p.x, `${what} overlay`, i, 'x'), y: optionalY(p.y, `${what} overlay`, i, 'y') }));
  const rules = options.rules ?? [];
  checkRules(rules, what, false);
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: options.yTitle, ...(options.yDomain ? { scale: { domain: options.yDomain } } : {}) };
  const lines = {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.4, opacity: 0.85 },
    encoding: {
      x,
      y,
      detail: { field: 'trajectory', type: 'nominal' },
      color: { field: 'value', type: 'quantitative', title: options.valueTitle, scale: { scheme: 'redyellowgreen', domain: options.valueDomain ?? [0, 1] } },
    },
  };
  const over =
    overlay.length > 0
      ? [{ data: { values: overlay }, mark: { type: 'line', color: '#000000', strokeWidth: 1.6, point: { color: '#000000', size: 12 } }, encoding: { x, y } }]
      : [];
  const xs = [...values.map((v) => v.x), ...rules.map((r) => r.x)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleWithRules(title, rules),
    ...PANEL,
    layer: [lines, ...over, ...ruleLayers(rules, 'x', Math.min(...xs), Math.max(...xs))],
  } as TopLevelSpec;
}

/** A panel of lineChartPanels drawn by trajectoryChartSpec. */
export interface TrajectoryPanel {
  readonly kind: 'trajectories';
  readonly points: readonly TrajectoryPoint[];
  readonly options: TrajectoryChartOptions;
}

/**
 * Line charts under one title, one below the other (recovery/rectification accuracy and FVE entropy against
 * the noise level): each panel as lineChartSpec, with its own scales and colour legend. Stacked, not side by
 * side, so the figure stays narrow enough (MAX_PNG_WIDTH) to be drawn at full scale with legible labels.
 */
export function lineChartPanelsSpec(panels: ReadonlyArray<LinePanel | TrajectoryPanel>, title: string): TopLevelSpec {
  const what = 'line chart panels';
  const top = requireTitle(title, what);
  requireRows(panels, what);
  const specs = panels.map((p) => {
    const spec =
      'kind' in p && p.kind === 'trajectories' ? trajectoryChartSpec(p.points, p.options) : lineChartSpec(p.points as readonly LinePoint[], p.options);
    const { $schema: _s, ...rest } = spec as unknown as Record<string, unknown>;
    return rest;
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: top,
    vconcat: specs,
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

export function lineChartPanels(panels: ReadonlyArray<LinePanel | TrajectoryPanel>, title: string, options: RenderOptions = {}): Promise<Plot> {
  return renderPlot(lineChartPanelsSpec(panels, title), options);
}

// ---------------------------------------------------------------------------------------------------------
// Scatter plot

export interface ScatterPoint {
  x: number;
  y: number;
  /** A class name (nominal colours) or a number such as the residue a+b mod P (a colour gradient). */
  label: string | number;
}

export interface ScatterOptions {
  title: string;
  xTitle?: string;
  yTitle?: string;
  labelTitle?: string;
}

/** Points coloured by label (PCA of activations); numeric labels get a continuous colour scale. */
export function scatterPlotSpec(points: readonly ScatterPoint[], options: ScatterOptions): TopLevelSpec {
  const what = 'scatter plot';
  const title = requireTitle(options.title, what);
  requireRows(points, what);
  const numeric = points.every((p) => typeof p.label === 'number');
  const values = points.map((p, i) => {
    if (typeof p.label !== 'string' && typeof p.label !== 'number') bad('plot-value', `${what}: row ${i} field "label" must be a string or a number`);
    return { x: requireFinite(p.x, what, i, 'x'), y: requireFinite(p.y, what, i, 'y'), label: p.label };
  });
  // Class names that are numbers ("0", "1", … "22") are listed in the legend in their numeric order, not as text.
  const names = [...new Set(values.map((v) => String(v.label)))];
  const order = names.every((n) => /^-?\d+$/.test(n)) ? names.sort((x, y) => Number(x) - Number(y)) : undefined;
  const color = numeric
    ? { field: 'label', type: 'quantitative', title: options.labelTitle ?? 'label', scale: { scheme: 'viridis' } }
    : { field: 'label', type: 'nominal', title: options.labelTitle ?? 'label', ...(order ? { sort: order } : {}) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 360,
    height: 360,
    data: { values },
    mark: { type: 'circle', size: 40, opacity: 0.85 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: { zero: false } },
      color,
    },
  } as TopLevelSpec;
}

export function scatterPlot(points: readonly ScatterPoint[], options: ScatterOptions & RenderOptions): Promise<Plot> {
  return renderPlot(scatterPlotSpec(points, options), options);
}

// ---------------------------------------------------------------------------------------------------------
// Image grid

export interface ImageGridOptions {
  /** Images per row (default: ceil(sqrt(count))). */
  columns?: number;
  /** Integer upscaling factor (default 2). */
  scale?: number;
  /** The pixel values drawn black and white (default [-1, 1]); values outside are clipped. */
  range?: [number, number];
  /** Gap between images in output pixels (default 2, drawn mid-grey). */
  gap?: number;
}

function positiveInt(value: number, name: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) bad('image-grid', `image grid: ${name} must be an integer in [1, ${max}], got ${value}`);
  return value;
}

function gridGeometry(count: number, side: number, options: ImageGridOptions) {
  const columns = positiveInt(options.columns ?? Math.ceil(Math.sqrt(count)), 'columns', 10_000);
  const scale = positiveInt(options.scale ?? 2, 'scale', 64);
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0 || gap > 64) bad('image-grid', `image grid: gap must be an integer in [0, 64], got ${gap}`);
  const rows = Math.ceil(count / columns);
  const cell = side * scale;
  const width = gap + Math.min(columns, count) * (cell + gap);
  const height = gap + rows * (cell + gap);
  if (width * height > 50_000_000) bad('image-grid', `image grid: ${width}x${height} pixels is too large`);
  return { columns, scale, gap, cell, width, height };
}

/** Grey value 0..255 for a pixel; non-finite pixels are flagged as -1 (drawn magenta). */
function grey(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return -1;
  return Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
}

function putPixel(data: Uint8Array | Buffer, at: number, g: number): void {
  const [r, gg, b] = g < 0 ? [255, 0, 255] : [g, g, g];
  data[at] = r;
  data[at + 1] = gg;
  data[at + 2] = b;
  data[at + 3] = 255;
}

/**
 * A PNG of `count` square images of `side`×`side` pixels (row-major, concatenated in `images`), laid out
 * in a grid. Values are mapped linearly from `range` to black..white; NaN or infinite pixels show magenta.
 */
export function imageGridPng(images: Float32Array, count: number, side: number, options: ImageGridOptions = {}): Uint8Array {
  positiveInt(count, 'count', 100_000);
  positiveInt(side, 'side', 4096);
  if (!(images instanceof Float32Array)) bad('image-grid', 'image grid: images must be a Float32Array');
  if (images.length !== count * side * side)
    bad('image-grid', `image grid: ${count} images of ${side}x${side} need ${count * side * side} values, got ${images.length}`);
  const [lo, hi] = options.range ?? [-1, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) bad('image-grid', `image grid: range must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
  const g = gridGeometry(count, side, options);
  const png = new PNG({ width: g.width, height: g.height });
  for (let i = 0; i < png.data.length; i += 4) putPixel(png.data, i, 128);
  for (let k = 0; k < count; k++) {
    const x0 = g.gap + (k % g.columns) * (g.cell + g.gap);
    const y0 = g.gap + Math.floor(k / g.columns) * (g.cell + g.gap);
    for (let py = 0; py < g.cell; py++) {
      for (let px = 0; px < g.cell; px++) {
        const v = images[k * side * side + Math.floor(py / g.scale) * side + Math.floor(px / g.scale)];
        putPixel(png.data, ((y0 + py) * g.width + x0 + px) * 4, grey(v, lo, hi));
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

// ---------------------------------------------------------------------------------------------------------
// Labelled image rows (generated samples: a | b | drawn c, each row labelled with what was drawn)

export interface LabelledImageRow {
  /** The row's text, e.g. "3 + 21 → drew 1: right". */
  readonly label: string;
  /** The row's images, side×side each, one per column. */
  readonly images: readonly Float32Array[];
  /** Colours the label: true green, false red, absent black. */
  readonly good?: boolean;
}

export interface LabelledImageGridOptions {
  /** A title over the columns, one per image column. */
  readonly columnTitles: readonly string[];
  /** Smallest cell side in output pixels (images are upscaled by an integer factor to reach it; default 64). */
  readonly minCell?: number;
  /** The pixel values drawn black and white (default [-1, 1]). */
  readonly range?: [number, number];
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A PNG of image rows with a text label at the left of each row and a title over each column (an SVG with the
 * images embedded as PNGs, rasterised by resvg): every image cell is at least `minCell` pixels wide.
 */
export function labelledImageGridPng(rows: readonly LabelledImageRow[], side: number, options: LabelledImageGridOptions): Uint8Array {
  requireRows(rows, 'labelled image grid');
  positiveInt(side, 'side', 4096);
  const columns = options.columnTitles.length;
  rows.forEach((r, i) => {
    if (r.images.length !== columns) bad('image-grid', `labelled image grid: row ${i} has ${r.images.length} images for ${columns} columns`);
    r.images.forEach((img, j) => {
      if (!(img instanceof Float32Array) || img.length !== side * side)
        bad('image-grid', `labelled image grid: row ${i} image ${j} must be a Float32Array of ${side}x${side} values`);
    });
  });
  const scale = Math.max(1, Math.ceil((options.minCell ?? 64) / side));
  const cell = side * scale;
  const gap = 8;
  const font = 15;
  const labelWidth = 24 + Math.ceil(0.56 * font * Math.max(...rows.map((r) => r.label.length)));
  const headerHeight = 26;
  const width = labelWidth + columns * (cell + gap) + gap;
  const height = headerHeight + rows.length * (cell + gap) + gap;
  const png = (img: Float32Array) =>
    Buffer.from(imageGridPng(img, 1, side, { scale, gap: 0, ...(options.range ? { range: options.range } : {}) })).toString('base64');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...options.columnTitles.map(
      (t, j) =>
        `<text x="${labelWidth + j * (cell + gap) + cell / 2}" y="${headerHeight - 8}" font-family="sans-serif" font-size="${font}" text-anchor="middle">${escapeXml(t)}</text>`,
    ),
  ];
  rows.forEach((r, i) => {
    const y = headerHeight + i * (cell + gap);
    const colour = r.good === undefined ? '#000000' : r.good ? '#1a7f37' : '#c62828';
    parts.push(
      `<text x="8" y="${y + cell / 2 + font / 3}" font-family="sans-serif" font-size="${font}" fill="${colour}">${escapeXml(r.label)}</text>`,
      ...r.images.map(
        (img, j) =>
          `<image x="${labelWidth + j * (cell + gap)}" y="${y}" width="${cell}" height="${cell}" xlink:href="data:image/png;base64,${png(img)}"/>` +
          `<rect x="${labelWidth + j * (cell + gap) - 0.5}" y="${y - 0.5}" width="${cell + 1}" height="${cell + 1}" fill="none" stroke="#999999"/>`,
      ),
    );
  });
  parts.push('</svg>');
  return renderPng(parts.join(''), { scale: 1 });
}
