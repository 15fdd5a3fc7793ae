// Tests of the plot primitives (plot.ts): each chart kind renders its titles, labels, legends and rules to SVG
// and PNG, and bad input (empty, non-finite, non-positive on a log axis) is a ConfigError naming the row and field.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import {
  barChart,
  barChartSpec,
  imageGridPng,
  labelledImageGridPng,
  learningCurvePlot,
  learningCurveSpec,
  lineChart,
  lineChartPanels,
  lineChartPanelsSpec,
  lineChartSpec,
  MAX_PNG_WIDTH,
  plotFont,
  renderPng,
  scatterPlot,
  scatterPlotSpec,
  trajectoryChartSpec,
  type LearningCurveRow,
} from './plot.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function decodePng(bytes: Uint8Array): PNG {
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  return PNG.sync.read(Buffer.from(bytes));
}

function configError(fn: () => unknown, code: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).code).toBe(code);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

/** Text of the SVG's <text> elements (vega writes each label as one element; entities decoded). */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
}

const curveRows: LearningCurveRow[] = [0, 1, 10, 100, 1000, 5000, 10000].map((step) => ({
  step,
  trainLoss: 1 / (1 + step),
  trainAcc: Math.min(1, step / 1000),
  ...(step % 10 === 0 ? { heldoutAcc: step >= 5000 ? 0.9 : 0.01 } : {}),
}));

describe('learning curves', () => {
  it('two panels on a log step axis, train vs held-out colours, rules at marked steps', async () => {
    const plot = await learningCurvePlot(curveRows, { title: 'Grokking run P=23', marks: [{ step: 5000, label: 'grokking' }] });
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    for (const t of ['Grokking run P=23', 'accuracy', 'training loss', 'step (log scale)', 'split', 'train', 'held-out', 'grokking'])
      expect(texts).toContain(t);
    expect(texts).toContain('1k'); // log-axis tick labels
    const spec = JSON.stringify(plot.spec);
    expect(spec).toContain('"type":"log"');
    const png = decodePng(plot.png);
    expect(png.width).toBeGreaterThan(1000);
    expect(png.height).toBeGreaterThan(300);
    expect(png.height).toBeLessThan(2000);
  });

  it('leaves out step 0 (no place on a log axis) and draws one panel when only loss is logged', () => {
    const spec = learningCurveSpec(
      [
        { step: 0, trainLoss: 2 },
        { step: 10, trainLoss: 1 },
      ],
      { title: 'loss only' },
    ) as { hconcat: Array<{ layer: Array<{ data: { values: unknown[] } }> }> };
    expect(spec.hconcat).toHaveLength(1);
    expect(spec.hconcat[0].layer[0].data.values).toEqual([{ step: 10, value: 1, curve: 'train' }]);
  });

  it('a NaN loss (a diverged run) is a gap; the loss axis is log only when every loss is > 0', async () => {
    type Panel = { title: string; layer: Array<{ data: { values: Array<{ value: number | null }> }; encoding: { y: { scale: { type?: string } } } }> };
    const lossPanel = (rows: LearningCurveRow[]) => (learningCurveSpec(rows, { title: 't' }) as unknown as { hconcat: Panel[] }).hconcat[0].layer[0];
    const diverged = lossPanel([
      { step: 1, trainLoss: 1 },
      { step: 2, trainLoss: Number.NaN },
      { step: 3, trainLoss: 0.5 },
    ]);
    expect(diverged.data.values.map((v) => v.value)).toEqual([1, null, 0.5]);
    expect(diverged.encoding.y.scale.type).toBe('log');
    expect(
      lossPanel([
        { step: 1, trainLoss: 1 },
        { step: 3, trainLoss: -0.5 },
      ]).encoding.y.scale.type,
    ).toBeUndefined();
    const plot = await learningCurvePlot(
      [
        { step: 1, trainLoss: 1 },
        { step: 2, trainLoss: Number.NaN },
        { step: 3, trainLoss: 0.5 },
      ],
      { title: 't' },
    );
    expect(plot.warnings).toEqual([]);
  });

  it('draws the loss references as labelled horizontal rules; a reference ≤ 0 is named in the caption of a log axis', async () => {
    const lossReferences = [
      { value: 0.12, label: 'operand-blind denoiser 0.120' },
      { value: 0, label: 'knowing c 0.000' },
    ];
    const plot = await learningCurvePlot(curveRows, { title: 't', lossReferences });
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    expect(texts).toContain('operand-blind denoiser 0.120');
    expect(texts).toContain('not drawn on the log axis: knowing c 0.000');
    // On a linear axis (a loss ≤ 0 logged) both rules are drawn.
    const linear = JSON.stringify(
      learningCurveSpec(
        [
          { step: 1, trainLoss: -1 },
          { step: 2, trainLoss: 1 },
        ],
        { title: 't', lossReferences },
      ),
    );
    expect(linear).toContain('"level":0,"label":"knowing c 0.000"');
    expect(linear).not.toContain('not drawn');
  });

  it('bad input is a ConfigError naming the row and field', () => {
    configError(
      () => learningCurveSpec(curveRows, { title: 't', lossReferences: [{ value: Number.NaN, label: 'x' }] }),
      'plot-value',
      /lossReferences: row 0 field "value"/,
    );
    configError(() => learningCurveSpec([], { title: 't' }), 'plot-empty', /learning curve: no data/);
    configError(() => learningCurveSpec([{ step: 0, trainLoss: 1 }], { title: 't' }), 'plot-empty', /step > 0/);
    configError(() => learningCurveSpec([{ step: Number.NaN, trainLoss: 1 }], { title: 't' }), 'plot-value', /row 0 field "step"/);
    configError(() => learningCurveSpec(curveRows, { title: '' }), 'plot-title');
    configError(() => learningCurveSpec(curveRows, { title: 't', marks: [{ step: 0, label: 'x' }] }), 'plot-log-scale', /rules: row 0 field "x" is 0/);
    configError(() => learningCurveSpec([{ step: 1, trainAcc: '0.5' as unknown as number }], { title: 't' }), 'plot-value', /"trainAcc"/);
  });
});

describe('bar chart', () => {
  it('titles, labels in the given order, grouped bars with a legend', async () => {
    const rows = [3, 1, 2].flatMap((k) => [
      { label: `k=${k}`, value: k / 10, group: 'layer 1' },
      { label: `k=${k}`, value: k / 20, group: 'layer 2' },
    ]);
    const plot = await barChart(rows, { title: 'FVE per frequency', xTitle: 'frequency', yTitle: 'FVE' });
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    for (const t of ['FVE per frequency', 'frequency', 'FVE', 'layer 1', 'layer 2']) expect(texts).toContain(t);
    const order = texts.filter((t) => t.startsWith('k='));
    expect(order).toEqual(['k=3', 'k=1', 'k=2']);
    const png = decodePng(plot.png);
    expect(png.width).toBeGreaterThan(200);
    expect(png.height).toBeGreaterThan(200);
  });
  it('ungrouped bars have no colour legend; bad rows are rejected', () => {
    expect(JSON.stringify(barChartSpec([{ label: 'a', value: 1 }], { title: 't', xTitle: 'x', yTitle: 'y' }))).not.toContain('"color":{"field"');
    configError(() => barChartSpec([], { title: 't', xTitle: 'x', yTitle: 'y' }), 'plot-empty');
    configError(() => barChartSpec([{ label: 'a', value: Infinity }], { title: 't', xTitle: 'x', yTitle: 'y' }), 'plot-value', /row 0 field "value"/);
  });
});

describe('line chart', () => {
  const points = [0.1, 0.3, 1].flatMap((x) => [
    { x, y: 1 - x / 2, series: 'A' },
    { x, y: 1 - x, series: 'B' },
  ]);
  it('titles, series legend, rule label, log x', async () => {
    const plot = await lineChart(points, {
      title: 'Accuracy vs noise',
      xTitle: 'noise level',
      yTitle: 'accuracy',
      xScale: 'log',
      rules: [{ x: 0.5, label: 'half' }],
    });
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    for (const t of ['Accuracy vs noise', 'noise level', 'accuracy', 'A', 'B', 'half', '0.1']) expect(texts).toContain(t);
    expect(JSON.stringify(plot.spec)).toContain('"type":"log"');
    decodePng(plot.png);
  });
  it('a tagged rule shows its tag at the rule and its label under the title; a rule in the right half is labelled on its left', async () => {
    const spec = lineChartSpec(points, {
      title: 'Accuracy vs noise',
      xTitle: 'noise level',
      yTitle: 'accuracy',
      rules: [
        { x: 0.2, tag: 't_crit', label: '0.20' },
        { x: 0.9, tag: 'entropy transition', label: '0.90 (+0.412)' },
      ],
    });
    expect((spec as { title: unknown }).title).toEqual({ text: 'Accuracy vs noise', subtitle: 't_crit: 0.20; entropy transition: 0.90 (+0.412)' });
    const texts = JSON.stringify(spec);
    expect(texts).toContain('"align":"right"');
    expect(texts).toContain('"align":"left"');
    const svg = svgTexts((await lineChart(points, { title: 't', xTitle: 'x', yTitle: 'y', rules: [{ x: 0.9, tag: 'transition', label: '0.90' }] })).svg);
    expect(svg).toContain('transition');
    expect(svg).toContain('transition: 0.90');
  });
  it('log x needs positive x; linear x accepts zero', () => {
    configError(
      () => lineChartSpec([{ x: 0, y: 1, series: 'A' }], { title: 't', xTitle: 'x', yTitle: 'y', xScale: 'log' }),
      'plot-log-scale',
      /row 0 field "x" is 0/,
    );
    expect(() => lineChartSpec([{ x: 0, y: 1, series: 'A' }], { title: 't', xTitle: 'x', yTitle: 'y' })).not.toThrow();
    configError(() => lineChartSpec([], { title: 't', xTitle: 'x', yTitle: 'y' }), 'plot-empty');
  });
  it('panels one below the other under one title, each with its own legend and rules', async () => {
    const plot = await lineChartPanels(
      [
        { points, options: { title: 'Accuracy', xTitle: 'noise level t', yTitle: 'accuracy', yDomain: [0, 1], rules: [{ x: 0.4, label: 't_crit 0.40' }] } },
        {
          points: points.map((p) => ({ ...p, series: p.series === 'A' ? 'C' : 'D' })),
          options: { title: 'Entropy', xTitle: 'noise level t', yTitle: 'entropy' },
        },
      ],
      'Critical timestep',
    );
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    for (const t of ['Critical timestep', 'Accuracy', 'Entropy', 'A', 'D', 't_crit 0.40']) expect(texts).toContain(t);
    expect(Object.keys(plot.spec)).toContain('vconcat');
    expect(decodePng(plot.png).width).toBeLessThanOrEqual(MAX_PNG_WIDTH);
    configError(() => lineChartPanelsSpec([], 'x'), 'plot-empty');
    configError(() => lineChartPanelsSpec([{ points: [], options: { title: 't', xTitle: 'x', yTitle: 'y' } }], 'x'), 'plot-empty');
  });
});

describe('trajectory chart (Figure 6b: paths coloured by their final accuracy)', () => {
  const trajectories = [0.2, 0.6, 1].flatMap((start) =>
    [0.2, 0.4, 0.6, 0.8, 1].filter((x) => x <= start).map((x) => ({ x, y: 1 - x / 2, trajectory: `from ${start}`, value: start })),
  );
  it('one line per trajectory, a quantitative red-green colour, the overlay and rules; beside a line panel', async () => {
    const spec = trajectoryChartSpec(trajectories, {
      title: 'Paths',
      xTitle: 't',
      yTitle: 'entropy',
      valueTitle: 'final accuracy',
      overlay: [
        { x: 0.2, y: 0.9 },
        { x: 1, y: 0.5 },
      ],
      rules: [{ x: 0.3, label: 't_crit' }],
    });
    const json = JSON.stringify(spec);
    expect(json).toContain('"detail":{"field":"trajectory"');
    expect(json).toContain('"scheme":"redyellowgreen"');
    const plot = await lineChartPanels(
      [
        {
          kind: 'trajectories',
          points: trajectories,
          options: {
            title: 'Paths',
            xTitle: 't',
            yTitle: 'entropy',
            valueTitle: 'final accuracy',
            overlay: [{ x: 0.2, y: 0.9 }],
            rules: [{ x: 0.3, label: 't_crit' }],
          },
        },
        {
          points: [
            { x: 0, y: 1, series: 'A' },
            { x: 1, y: 0, series: 'A' },
          ],
          options: { title: 'Curves', xTitle: 't', yTitle: 'y' },
        },
      ],
      'Critical timestep',
    );
    expect(plot.warnings).toEqual([]);
    const texts = svgTexts(plot.svg);
    for (const t of ['Critical timestep', 'Paths', 'Curves', 'final accuracy', 't_crit']) expect(texts).toContain(t);
    decodePng(plot.png);
  });
  it('rejects empty input and non-finite colour values', () => {
    configError(() => trajectoryChartSpec([], { title: 't', xTitle: 'x', yTitle: 'y', valueTitle: 'v' }), 'plot-empty');
    configError(
      () => trajectoryChartSpec([{ x: 0, y: 1, trajectory: 'a', value: NaN }], { title: 't', xTitle: 'x', yTitle: 'y', valueTitle: 'v' }),
      'plot-value',
    );
  });
});

describe('scatter plot', () => {
  it('numeric labels get a colour gradient, string labels a nominal legend', async () => {
    const pts = [...Array(12).keys()].map((c) => ({ x: Math.cos(c), y: Math.sin(c), label: c }));
    const plot = await scatterPlot(pts, { title: 'PCA', xTitle: 'PC1', yTitle: 'PC2', labelTitle: 'c' });
    expect(plot.warnings).toEqual([]);
    for (const t of ['PCA', 'PC1', 'PC2', 'c']) expect(svgTexts(plot.svg)).toContain(t);
    expect(JSON.stringify(plot.spec)).toContain('"scheme":"viridis"');
    const nominal = scatterPlotSpec(
      [
        { x: 1, y: 2, label: 'a' },
        { x: 2, y: 1, label: 3 },
      ],
      { title: 't' },
    );
    expect(JSON.stringify(nominal)).toContain('"type":"nominal"');
    configError(() => scatterPlotSpec([{ x: 1, y: Number.NaN, label: 'a' }], { title: 't' }), 'plot-value', /field "y"/);
    configError(() => scatterPlotSpec([], { title: 't' }), 'plot-empty');
  });
});

describe('PNG rasterisation', () => {
  it('scales the SVG and rejects a bad scale', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="10" height="10" fill="red"/></svg>';
    const png = decodePng(renderPng(svg, { scale: 3 }));
    expect([png.width, png.height]).toEqual([120, 90]);
    expect([...png.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...png.data.subarray(png.data.length - 4)]).toEqual([255, 255, 255, 255]); // white background
    configError(() => renderPng(svg, { scale: 0 }), 'plot-scale');
  });

  it(`draws a wide figure at a smaller scale, never wider than ${MAX_PNG_WIDTH} pixels`, () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="100"><rect width="2000" height="100" fill="red"/></svg>';
    const png = decodePng(renderPng(svg, { scale: 2 }));
    expect(png.width).toBeLessThanOrEqual(MAX_PNG_WIDTH);
    expect(png.width).toBeGreaterThan(MAX_PNG_WIDTH - 2);
    expect(png.height).toBe(80);
  });

  it.skipIf(plotFont() === null)('draws text with the local font', () => {
    const svg = (text: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="5" y="20" font-family="sans-serif" font-size="14">${text}</text></svg>`;
    const dark = (bytes: Uint8Array) => {
      const p = PNG.sync.read(Buffer.from(bytes));
      let n = 0;
      for (let i = 0; i < p.data.length; i += 4) if (p.data[i] < 128) n++;
      return n;
    };
    expect(dark(renderPng(svg('')))).toBe(0);
    expect(dark(renderPng(svg('accuracy')))).toBeGreaterThan(50);
  });
});

describe('image grid', () => {
  it('lays out images with gaps, maps the range to grey levels, flags NaN in magenta', () => {
    const side = 2;
    const images = Float32Array.from([-1, 0, 1, Number.NaN, 2, -2, 0.5, -0.5, 1, 1, 1, 1]);
    const png = decodePng(imageGridPng(images, 3, side, { columns: 2, scale: 2, gap: 1 }));
    expect([png.width, png.height]).toEqual([1 + 2 * (4 + 1), 1 + 2 * (4 + 1)]);
    const px = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
    expect(px(0, 0)).toEqual([128, 128, 128, 255]); // gap
    expect(px(1, 1)).toEqual([0, 0, 0, 255]); // -1 → black (scaled 2x: pixels 1..2)
    expect(px(2, 2)).toEqual([0, 0, 0, 255]);
    expect(px(3, 1)).toEqual([128, 128, 128, 255]); // 0 → mid grey
    expect(px(1, 3)).toEqual([255, 255, 255, 255]); // 1 → white
    expect(px(3, 3)).toEqual([255, 0, 255, 255]); // NaN → magenta
    expect(px(6, 1)).toEqual([255, 255, 255, 255]); // image 1: 2 clipped to white
    expect(px(8, 1)).toEqual([0, 0, 0, 255]); // -2 clipped to black
    expect(px(1, 6)).toEqual([255, 255, 255, 255]); // image 2 on the second row
    expect(px(6, 6)).toEqual([128, 128, 128, 255]); // empty cell stays gap colour
  });
  it('rejects inconsistent sizes and options', () => {
    configError(() => imageGridPng(new Float32Array(7), 2, 2), 'image-grid', /need 8 values, got 7/);
    configError(() => imageGridPng(new Float32Array(4), 0, 2), 'image-grid', /count/);
    configError(() => imageGridPng(new Float32Array(4), 1, 2, { range: [1, 1] }), 'image-grid', /range/);
    configError(() => imageGridPng(new Float32Array(4), 1, 2, { scale: 1.5 }), 'image-grid', /scale/);
  });
});

describe('labelled image rows (sample grids)', () => {
  const side = 16;
  const img = (v: number) => new Float32Array(side * side).fill(v);
  it('one labelled row per example, image cells at least 64 pixels, the label coloured by right or wrong', () => {
    const rows = [
      { label: '3 + 21 → drew 1: right', good: true, images: [img(-1), img(1), img(0)] },
      { label: '5 + 4 → drew 7: wrong (a + b = 9)', good: false, images: [img(1), img(-1), img(0.5)] },
    ];
    const png = decodePng(labelledImageGridPng(rows, side, { columnTitles: ['a', 'b', 'drawn c'] }));
    expect(png.width).toBeLessThanOrEqual(MAX_PNG_WIDTH);
    // Find the first image cell: a run of black pixels (the first row's image of a is -1 = black) at least 64 long.
    let longest = 0;
    for (let y = 0; y < png.height; y++) {
      let run = 0;
      for (let x = 0; x < png.width; x++) {
        const i = (y * png.width + x) * 4;
        run = png.data[i] === 0 && png.data[i + 1] === 0 && png.data[i + 2] === 0 ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
    }
    expect(longest).toBeGreaterThanOrEqual(64);
    expect(png.height).toBeGreaterThanOrEqual(2 * 64);
  });
  it.skipIf(plotFont() === null)('writes the labels (red for a wrong draw)', () => {
    const png = decodePng(labelledImageGridPng([{ label: '5 + 4 → drew 7: wrong', good: false, images: [img(1)] }], side, { columnTitles: ['c'] }));
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 150 && png.data[i + 1] < 100 && png.data[i + 2] < 100) red++;
    expect(red).toBeGreaterThan(50);
  });
  it('rejects rows that do not match the columns', () => {
    configError(
      () => labelledImageGridPng([{ label: 'x', images: [img(0)] }], side, { columnTitles: ['a', 'b'] }),
      'image-grid',
      /row 0 has 1 images for 2 columns/,
    );
    configError(() => labelledImageGridPng([{ label: 'x', images: [new Float32Array(3)] }], side, { columnTitles: ['a'] }), 'image-grid', /16x16/);
    configError(() => labelledImageGridPng([], side, { columnTitles: ['a'] }), 'plot-empty');
  });
});
