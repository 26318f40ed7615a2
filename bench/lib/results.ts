/**
 * The result model of the suite: each benchmark (a section) runs cases, each case runs its
 * contenders A B A B over several rounds, and every round yields a few metrics. Medians, spreads
 * and ratios are computed here, and printed as text for the terminal.
 *
 * @module
 */
import { median, spread } from './stats.ts';

/** One measured quantity. */
export interface MetricDef {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
}

/** A target a ratio must reach: `>= 0.97`, `<= 0.5`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One computed ratio between two contenders' medians. */
export interface RatioResult {
  caseName: string;
  metric: string;
  /** What the ratio is, e.g. `rate twisted-ts / raw dgram`. */
  label: string;
  /** The metric's label, and the contender twisted-ts is compared with. */
  metricLabel: string;
  other: string;
  value: number;
  target?: Target;
  /** Whether the target is met; undefined without a target or without a value. */
  met?: boolean;
  /** True when a larger ratio is the better result for the first contender (false for heap). */
  higherIsBetter: boolean;
  /** Shown in the chart (the informational ratios are left out to keep it readable). */
  chart: boolean;
}

/** Samples of one case, per contender and metric. */
export interface CaseResult {
  name: string;
  contenders: string[];
  samples: Record<string, Record<string, number[]>>;
  /** Errors and remarks from the rounds (a failed round, a skipped contender). */
  notes: string[];
}

/** A whole benchmark. */
export interface SectionResult {
  id: string;
  title: string;
  /** What is measured and how, for the docs. */
  description: string;
  /** How to run this benchmark alone. */
  command: string;
  metrics: MetricDef[];
  cases: CaseResult[];
  ratios: RatioResult[];
  /** Why a contender or the whole section was skipped. */
  skipped: string[];
  /** Wall time of the section, seconds. */
  seconds: number;
}

/** What every benchmark module receives. */
export interface SuiteContext {
  quick: boolean;
  /** Rounds of the light benchmarks (receive, echo, deferreds). */
  rounds: number;
  /**
   * Rounds of the heavy ones (multicast, timers, cluster: Python's million calls alone take
   * 10 s a round), capped at 3 by default so that a full run stays within about 5 minutes.
   */
  heavyRounds: number;
  /** `null` when Python Twisted is missing; the message says why. */
  python: { version: string; twisted: string } | null;
  pythonMissing: string;
  log: (line: string) => void;
}

/** Builds a section: records samples as rounds finish and computes ratios at the end. */
export class Section {
  readonly result: SectionResult;
  readonly #started = performance.now();

  constructor(id: string, title: string, description: string, metrics: MetricDef[]) {
    this.result = {
      id,
      title,
      description,
      command: `npm run bench -- --only ${id}`,
      metrics,
      cases: [],
      ratios: [],
      skipped: [],
      seconds: 0,
    };
  }

  /** The case named `name`, created with `contenders` on first use. */
  case(name: string, contenders: string[]): CaseResult {
    let c = this.result.cases.find((x) => x.name === name);
    if (c === undefined) {
      c = { name, contenders: [...contenders], samples: {}, notes: [] };
      for (const contender of contenders) c.samples[contender] = {};
      this.result.cases.push(c);
    }
    return c;
  }

  /** Records one round's metrics for a contender. */
  add(caseName: string, contender: string, values: Record<string, number>): void {
    const c = this.result.cases.find((x) => x.name === caseName);
    if (c === undefined) throw new Error(`unknown case ${caseName}`);
    const samples = (c.samples[contender] ??= {});
    for (const [key, value] of Object.entries(values)) (samples[key] ??= []).push(value);
  }

  /** The median of a contender's metric in a case (NaN when it has no samples). */
  median(caseName: string, contender: string, metric: string): number {
    const c = this.result.cases.find((x) => x.name === caseName);
    return median(c?.samples[contender]?.[metric] ?? []);
  }

  /**
   * Adds the ratio `num / den` of two contenders' medians (or `den / num` with `invert`, for
   * costs: "setTimeout CPU / callLater CPU" reads as "callLater is N× cheaper").
   */
  ratio(
    caseName: string,
    metric: string,
    num: string,
    den: string,
    options: { invert?: boolean; target?: Target; label?: string; chart?: boolean } = {},
  ): void {
    const a = this.median(caseName, num, metric);
    const b = this.median(caseName, den, metric);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return;
    const value = options.invert ? b / a : a / b;
    const def = this.result.metrics.find((m) => m.key === metric);
    const name = def?.label ?? metric;
    const label = options.label ?? (options.invert ? `${name}: ${den} / ${num}` : `${name}: ${num} / ${den}`);
    const higherIsBetter = (def?.better ?? 'higher') === 'higher' ? !options.invert : options.invert === true;
    const r: RatioResult = {
      caseName,
      metric,
      label,
      metricLabel: name,
      other: den,
      value,
      higherIsBetter,
      chart: options.chart ?? true,
    };
    if (options.target !== undefined && b !== 0) {
      r.target = options.target;
      r.met = options.target.op === '>=' ? value >= options.target.value : value <= options.target.value;
    }
    this.result.ratios.push(r);
  }

  /** Runs `fn` for every contender, alternating A B C A B C for `rounds` rounds. */
  async alternate(
    caseName: string,
    contenders: string[],
    rounds: number,
    fn: (contender: string, round: number) => Promise<Record<string, number>>,
  ): Promise<void> {
    const c = this.case(caseName, contenders);
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        try {
          this.add(caseName, contender, await fn(contender, round));
        } catch (e) {
          const message = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ');
          c.notes.push(`${contender}, round ${round + 1}: failed: ${message}`);
        }
      }
    }
  }

  /**
   * Like {@link alternate}, for a run that measures several cases at once (one server, two
   * clients): `fn` returns the metrics of each case by name.
   */
  async alternateCases(
    caseNames: string[],
    contenders: string[],
    rounds: number,
    fn: (contender: string, round: number) => Promise<Record<string, Record<string, number>>>,
  ): Promise<void> {
    for (const name of caseNames) this.case(name, contenders);
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        try {
          const results = await fn(contender, round);
          for (const [name, values] of Object.entries(results)) this.add(name, contender, values);
        } catch (e) {
          const message = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ');
          this.case(caseNames[0], contenders).notes.push(
            `${contender}, round ${round + 1}: failed: ${message}`,
          );
        }
      }
    }
  }

  skip(message: string): void {
    this.result.skipped.push(message);
  }

  finish(): SectionResult {
    this.result.seconds = (performance.now() - this.#started) / 1000;
    return this.result;
  }
}

/** A number for a table: three significant digits, thousands separated. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(2);
}

/** `123,456 ±3%`: a median with its spread. */
export function formatCell(samples: readonly number[] | undefined): string {
  if (samples === undefined || samples.length === 0) return '–';
  const m = median(samples);
  const s = spread(samples);
  if (samples.length < 2 || !Number.isFinite(s)) return formatNumber(m);
  return `${formatNumber(m)} ±${Math.round((s * 100) / 2)}%`;
}

/** `0.98x (target >= 0.97: met)` */
export function formatRatio(r: RatioResult): string {
  const value = `${r.value.toFixed(2)}x`;
  if (r.target === undefined) return value;
  return `${value} (target ${r.target.op} ${r.target.value}: ${r.met ? 'met' : 'NOT met'})`;
}

/** The text a section prints to the terminal: a header, a table per case, the ratio lines. */
export function sectionText(s: SectionResult): string {
  const lines = [`=== ${s.id}: ${s.title}`];
  for (const message of s.skipped) lines.push(`skipped: ${message}`);
  const headers = ['case', 'contender', ...s.metrics.map((m) => `${m.label} (${m.unit})`)];
  const rows: string[][] = [];
  for (const c of s.cases) {
    for (const contender of c.contenders) {
      const samples = c.samples[contender] ?? {};
      if (Object.keys(samples).length === 0) continue;
      rows.push([c.name, contender, ...s.metrics.map((m) => formatCell(samples[m.key]))]);
    }
  }
  if (rows.length > 0) {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    lines.push(line(headers));
    for (const r of rows) lines.push(line(r));
  }
  for (const c of s.cases) for (const note of c.notes) lines.push(`note (${c.name}): ${note}`);
  for (const r of s.ratios) lines.push(`ratio ${r.caseName}: ${r.label} = ${formatRatio(r)}`);
  lines.push(`(${s.id} took ${s.seconds.toFixed(1)} s)`);
  return lines.join('\n');
}
