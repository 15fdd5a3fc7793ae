// `grokdiff screen`: runs a pre-registered recipe screen (issue 27, docs/RECIPE-SCREEN.md): `run` trains every
// arm × seed of a stage as separate processes, up to --jobs at once, each with one native thread, then judges
// each finished run in its slot (eval/recipe-screen.ts); a failed arm is reported and the others go on, and a
// second `run` continues where the first stopped (judged runs are skipped, unfinished ones resumed). `extend`
// applies a stage's registered extension rule (longer budget for arms above a bar) the same way. `judge`
// judges existing run folders; `table` rewrites the results section of the screen's document from the saved
// judgements.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { applyOverrides } from '../train/config.ts';
import { getPreset } from '../train/presets.ts';
import { lockHolder } from '../train/run-lock.ts';
import { readLatest } from '../train/run-folder.ts';
import {
  armSeeds,
  extendsArm,
  hasScreenRun,
  judgeScreenRun,
  judgementFile,
  readJudgement,
  readScreenSpec,
  renderScreenResults,
  replaceScreenResults,
  screenRunDir,
  type ScreenArm,
  type ScreenJudgement,
  type ScreenSpec,
  type ScreenStage,
} from '../eval/recipe-screen.ts';
import { existingFolder, intRangeOption } from './common.ts';
import { setupBackend } from './backend-option.ts';
import { runChild, runQueue } from './child-runs.ts';
import { describeMechanism, readMechanism, type MechanismReading } from '../claims/mechanism-reading.ts';
import { loadRun } from '../eval/loaded-run.ts';
import { readJsonFile } from '../io/json-file.ts';

/** The mechanism reading of a run folder's checkpoint at `step`. */
const mechanismFile = (step: number): string => `mechanism-step-${step}.json`;

/** Every mechanism reading saved in a run folder, by step. */
function readMechanisms(dir: string): MechanismReading[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^mechanism-step-\d+\.json$/.test(f))
    .map((f) => readJsonFile(join(dir, f)) as MechanismReading)
    .sort((a, b) => a.step - b.step);
}

interface ScreenOpts {
  spec: string;
  root: string;
  stage?: string;
  arm?: string[];
  jobs: number;
  doc: string;
}

/** The stages chosen by --stage, each with its arms chosen by --arm; an unknown stage or arm is a ConfigError. */
function selectArms(spec: ScreenSpec, opts: ScreenOpts): { stage: ScreenStage; arms: ScreenArm[] }[] {
  const stages = opts.stage ? spec.stages.filter((s) => s.name === opts.stage) : spec.stages;
  if (stages.length === 0) throw new ConfigError('screen-stage', `--stage ${opts.stage}: no such stage; stages: ${spec.stages.map((s) => s.name).join(', ')}`);
  const all = stages.flatMap((s) => s.arms);
  const unknown = (opts.arm ?? []).filter((id) => !all.some((a) => a.id === id));
  if (unknown.length > 0)
    throw new ConfigError('screen-arm', `--arm ${unknown.join(', ')}: not in the chosen stage(s); arms: ${all.map((a) => a.id).join(', ')}`);
  return stages.map((stage) => ({ stage, arms: stage.arms.filter((a) => !opts.arm || opts.arm.includes(a.id)) }));
}

/** The arms chosen by --stage and --arm, in the screen file's order. */
function stageArms(spec: ScreenSpec, opts: ScreenOpts): ScreenArm[] {
  return selectArms(spec, opts).flatMap((s) => s.arms);
}

/** Runs `grokdiff ARGS` as a child process (cli/child-runs.ts) appending to `logPath`; resolves to its exit code. */
const child = async (args: string[], logPath: string): Promise<number> => (await runChild(args, logPath)).code;

/** The marker a training child leaves once a run has reached `steps` (or stopped early before it). */
const trainedMarker = (steps: number): string => `screen-trained-${steps}.json`;

/**
 * Trains (fresh, resumed, or extended to `target` steps) then judges one arm × seed; returns a one-line outcome.
 * A run that stopped early within the registered budget (the trainer's grokking stop) is not extended.
 */
async function runOne(spec: ScreenSpec, specPath: string, root: string, arm: ScreenArm, seed: number, target: number): Promise<string> {
  const dir = screenRunDir(root, arm.id, seed);
  const tag = `${arm.id} seed ${seed} (${target} steps)`;
  const atBudget = readJudgement(dir, spec.budgetSteps);
  if (target > spec.budgetSteps && atBudget && atBudget.step < spec.budgetSteps) return `${tag}: stopped early at ${atBudget.step}, not extended`;
  const judged = readJudgement(dir, target);
  if (judged && (judged.step === target || target === spec.budgetSteps)) return `${tag}: already judged`;
  if (hasScreenRun(dir) && lockHolder(dir).held) return `${tag}: skipped, another process is writing ${dir}`;
  mkdirSync(join(root, arm.id), { recursive: true });
  const log = join(root, arm.id, `seed-${seed}.log`);
  if (!existsSync(join(dir, trainedMarker(target)))) {
    const sets = [...arm.overrides, `train.steps=${spec.budgetSteps}`].flatMap((o) => ['--set', o]);
    const resume = target > spec.budgetSteps ? ['--resume', '--steps', String(target)] : ['--resume'];
    const args = hasScreenRun(dir) ? ['train', '--out', dir, ...resume] : ['train', '--preset', spec.preset, '--seed', String(seed), '--out', dir, ...sets];
    const code = await child(args, log);
    if (code !== 0) return `${tag}: training failed (exit ${code}); see ${log}`;
    writeFileAtomic(join(dir, trainedMarker(target)), `${JSON.stringify({ exitCode: 0, at: new Date().toISOString() })}\n`);
  }
  const code = await child(['screen', 'judge', '--spec', specPath, '--root', root, '--arm', arm.id, '--seed', String(seed)], log);
  return code === 0 ? `${tag}: trained and judged` : `${tag}: judge failed (exit ${code}); see ${log}`;
}

/** Runs `jobs` workers over the queue (cli/child-runs.ts); returns how many outcomes say "failed". */
function runScreenQueue(
  queue: { arm: ScreenArm; seed: number; target: number }[],
  jobs: number,
  one: (arm: ScreenArm, seed: number, target: number) => Promise<string>,
): Promise<number> {
  return runQueue(queue, jobs, async (next) => {
    const line = await one(next.arm, next.seed, next.target);
    return { line, failed: /failed/.test(line) };
  });
}

/** Whether a run folder already has a judgement of its latest checkpoint. */
function judgedAtLatest(dir: string): boolean {
  const latest = readLatest(dir);
  return latest !== null && existsSync(join(dir, judgementFile(latest.step)));
}

export function screenCommand(): Command {
  const cmd = new Command('screen').description('run, judge and tabulate a pre-registered recipe screen (docs/RECIPE-SCREEN.md)');
  const common = (c: Command): Command =>
    c
      .option('--spec <file>', 'the screen file', 'docs/recipe-screen.json')
      .option('--root <dir>', 'where the arm folders are', 'runs/screen')
      .option('--stage <name>', 'only this stage (default: every stage)')
      .option('--arm <id>', 'only this arm (repeatable)', (v: string, prev: string[] = []) => [...prev, v]);
  cmd.addCommand(
    common(new Command('run'))
      .description('train and judge every arm × seed (skips judged runs, resumes unfinished ones)')
      .option(
        '--jobs <n>',
        'arms trained at once (each with one native thread unless GROKDIFF_NATIVE_THREADS says otherwise)',
        intRangeOption('--jobs', 1, 16),
        2,
      )
      .action(async (opts: ScreenOpts) => {
        const spec = readScreenSpec(opts.spec);
        const root = resolve(opts.root);
        const arms = stageArms(spec, opts);
        for (const arm of arms) for (const seed of armSeeds(spec, arm)) applyOverrides(getPreset(spec.preset), arm.overrides, { seed });
        // Seed-major: every arm's first seed, then every arm's second, …
        const queue = arms
          .flatMap((arm) => armSeeds(spec, arm).map((seed, rank) => ({ arm, seed, target: spec.budgetSteps, rank })))
          .sort((x, y) => x.rank - y.rank)
          .map(({ rank: _rank, ...job }) => job);
        const failed = await runScreenQueue(queue, opts.jobs, (arm, seed, target) => runOne(spec, resolve(opts.spec), root, arm, seed, target));
        if (failed > 0) process.exitCode = 1;
      }),
  );
  cmd.addCommand(
    common(new Command('extend'))
      .description("extend the arms that meet their stage's registered extension rule, and judge them at the longer budget")
      .option('--jobs <n>', 'arms trained at once', intRangeOption('--jobs', 1, 16), 2)
      .action(async (opts: ScreenOpts) => {
        const spec = readScreenSpec(opts.spec);
        const root = resolve(opts.root);
        const queue: { arm: ScreenArm; seed: number; target: number }[] = [];
        for (const { stage, arms } of selectArms(spec, opts)) {
          const ext = stage.extension;
          if (!ext) continue;
          for (const arm of arms) {
            const judged = armSeeds(spec, arm).map((s) => readJudgement(screenRunDir(root, arm.id, s), spec.budgetSteps));
            if (judged.some((j) => j === null)) {
              console.log(`${arm.id}: not every seed is judged at ${spec.budgetSteps} steps yet; not decided`);
              continue;
            }
            if (!extendsArm(judged as ScreenJudgement[], ext.ifMeanNovelAtLeast)) continue;
            for (const seed of armSeeds(spec, arm)) queue.push({ arm, seed, target: ext.steps });
          }
        }
        const failed = await runScreenQueue(queue, opts.jobs, (arm, seed, target) => runOne(spec, resolve(opts.spec), root, arm, seed, target));
        if (failed > 0) process.exitCode = 1;
      }),
  );
  cmd.addCommand(
    common(new Command('judge'))
      .description('judge run folders that have a run (one arm × seed with --arm and --seed)')
      .option('--seed <n>', 'only this seed', intRangeOption('--seed', 0, 0xffffffff))
      .option('--again', 'judge runs that already have a judgement too')
      .action(async (opts: ScreenOpts & { seed?: number; again?: boolean }, command: Command) => {
        const spec = readScreenSpec(opts.spec);
        const root = existingFolder('--root', opts.root);
        await setupBackend(command);
        for (const arm of stageArms(spec, opts)) {
          for (const seed of armSeeds(spec, arm).filter((s) => opts.seed === undefined || s === opts.seed)) {
            const dir = screenRunDir(root, arm.id, seed);
            if (!hasScreenRun(dir) || lockHolder(dir).held || (!opts.again && judgedAtLatest(dir))) continue;
            const j = judgeScreenRun(dir, arm.id, seed);
            console.log(`${arm.id} seed ${seed}: ${j.status.summary}`);
          }
        }
      }),
  );
  cmd.addCommand(
    common(new Command('mechanism'))
      .description("apply the mechanism claims' measurements (selective frequencies, Table 3) to the judged runs that grokked")
      .option('--all', 'every judged run, not only those that grokked')
      .action(async (opts: ScreenOpts & { all?: boolean }, command: Command) => {
        const spec = readScreenSpec(opts.spec);
        const root = existingFolder('--root', opts.root);
        await setupBackend(command);
        for (const arm of stageArms(spec, opts)) {
          for (const seed of armSeeds(spec, arm)) {
            const dir = screenRunDir(root, arm.id, seed);
            const latest = hasScreenRun(dir) ? readLatest(dir) : null;
            const judged = latest ? readJudgement(dir, latest.step) : null;
            if (!latest || !judged || judged.step !== latest.step || (!opts.all && !judged.status.grokked)) continue;
            if (existsSync(join(dir, mechanismFile(latest.step)))) continue;
            const run = loadRun(dir);
            try {
              const m = readMechanism(run);
              writeFileAtomic(join(dir, mechanismFile(latest.step)), `${JSON.stringify(m, null, 2)}\n`);
              console.log(`${arm.id} seed ${seed} step ${m.step}: ${describeMechanism(m)}`);
            } finally {
              run.dispose();
            }
          }
        }
      }),
  );
  cmd.addCommand(
    common(new Command('table'))
      .description("rewrite the results section of the screen's document from the judgements")
      .option('--doc <file>', 'the document with the results markers', 'docs/RECIPE-SCREEN.md')
      .action((opts: ScreenOpts) => {
        const spec = readScreenSpec(opts.spec);
        const root = resolve(opts.root);
        const mechanisms = spec.stages.flatMap((stage) =>
          stage.arms.flatMap((arm) =>
            armSeeds(spec, arm).flatMap((seed) =>
              readMechanisms(screenRunDir(root, arm.id, seed)).map((m) => ({ arm: arm.id, seed, step: m.step, text: describeMechanism(m) })),
            ),
          ),
        );
        const results = renderScreenResults(spec, (arm, seed, budget) => readJudgement(screenRunDir(root, arm, seed), budget), mechanisms);
        const doc = readFileSync(opts.doc, 'utf8');
        writeFileAtomic(opts.doc, replaceScreenResults(doc, results, opts.doc));
        console.log(`${opts.doc}: results rewritten from ${root}`);
      }),
  );
  return cmd;
}
