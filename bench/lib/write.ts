/**
 * Writes a run's results: bench/results/latest.json (every sample), docs/performance.svg (the
 * chart) and the generated parts of docs/performance.md — the headline figures and the tables —
 * between marker comments, so that the hand-written explanations around them survive a new run.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderChart } from './chart.ts';
import type { MachineInfo } from './machine.ts';
import { formatCell, formatRatio, type RatioResult, type SectionResult } from './results.ts';

const root = new URL('../../', import.meta.url);
const DOC = new URL('docs/performance.md', root);
const CHART = new URL('docs/performance.svg', root);
const JSON_OUT = new URL('bench/results/latest.json', root);

interface RunInfo {
  quick: boolean;
  rounds: number;
  heavyRounds: number;
  seconds: number;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function machineTable(m: MachineInfo, run: RunInfo): string {
  return table(
    ['', ''],
    [
      ['Date', m.date],
      ['CPU', `${m.cpu}, ${m.cores} cores (shared VM)`],
      ['Memory', `${m.memoryGiB} GiB`],
      ['OS', m.os],
      ['Node.js', `${m.node} (V8 ${m.v8})`],
      [
        'Python Twisted',
        m.twisted ? `Twisted ${m.twisted} on Python ${m.python}, epoll reactor` : 'not installed',
      ],
      ['twisted-ts', `commit ${m.commit}, run from src/ (Node type stripping)`],
      [
        'Run',
        `${run.rounds} rounds (multicast, timers, cluster: ${run.heavyRounds}), contenders alternating; ${run.seconds.toFixed(0)} s in all; load average at start ${m.load}`,
      ],
      ['Command', run.quick ? '`npm run bench -- --quick --write`' : '`npm run bench`'],
    ],
  );
}

function ratioStatus(r: RatioResult): string {
  if (r.target === undefined) return '';
  return r.met ? 'met' : '**not met**';
}

function headline(sections: readonly SectionResult[], m: MachineInfo, run: RunInfo): string {
  const rows: string[][] = [];
  for (const s of sections) {
    for (const r of s.ratios) {
      if (r.target === undefined && !r.label.includes('Python Twisted')) continue;
      rows.push([
        s.title,
        r.caseName,
        r.label,
        `${r.value.toFixed(2)}×`,
        r.target ? `${r.target.op} ${r.target.value}` : '',
        ratioStatus(r),
      ]);
    }
  }
  return [
    '## Headline figures',
    '',
    `Measured ${m.date} on ${m.cpu} × ${m.cores} (shared), Node ${m.node}` +
      (m.twisted ? `, Twisted ${m.twisted} (Python ${m.python}, epoll)` : '') +
      `; medians of ${run.rounds} alternating rounds (${run.heavyRounds} for multicast, timers and cluster). Ratios compare contenders measured side by side ` +
      'in the same run; the absolute figures are in [the tables below](#results).',
    '',
    table(['Benchmark', 'Case', 'Ratio', 'Value', 'Target', ''], rows),
    '',
    '![twisted-ts relative to raw node:dgram, setTimeout, Promise and Python Twisted](performance.svg)',
  ].join('\n');
}

function sectionMarkdown(s: SectionResult): string {
  const parts = [
    `### ${s.title}`,
    '',
    s.description,
    '',
    `Run alone: \`${s.command}\` (${s.seconds.toFixed(0)} s).`,
    '',
  ];
  for (const message of s.skipped) parts.push(`> Skipped: ${message}`, '');
  const rows: string[][] = [];
  for (const c of s.cases) {
    for (const contender of c.contenders) {
      const samples = c.samples[contender] ?? {};
      if (Object.keys(samples).length === 0) continue;
      rows.push([c.name, contender, ...s.metrics.map((m) => formatCell(samples[m.key]))]);
    }
  }
  if (rows.length > 0) {
    parts.push(table(['Case', 'Contender', ...s.metrics.map((m) => `${m.label} (${m.unit})`)], rows), '');
  }
  if (s.ratios.length > 0) {
    parts.push(
      table(
        ['Case', 'Ratio', 'Value', 'Target'],
        s.ratios.map((r) => [
          r.caseName,
          r.label,
          formatRatio(r).replace(/ \(target.*$/, ''),
          r.target ? `${r.target.op} ${r.target.value}: ${ratioStatus(r)}` : '',
        ]),
      ),
      '',
    );
  }
  const notes = s.cases.flatMap((c) => c.notes.map((n) => `- ${c.name}: ${n}`));
  if (notes.length > 0) parts.push('Notes:', '', ...notes, '');
  return parts.join('\n');
}

function results(sections: readonly SectionResult[], m: MachineInfo, run: RunInfo): string {
  return [
    '## Results',
    '',
    'Medians of the rounds, with ± half the spread (max − min) relative to the median.',
    '',
    machineTable(m, run),
    '',
    ...sections.map(sectionMarkdown),
  ].join('\n');
}

const SKELETON = `# Performance

<!-- bench:headline:begin -->
<!-- bench:headline:end -->

<!-- bench:results:begin -->
<!-- bench:results:end -->
`;

/** Replaces what lies between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`. */
function replaceBlock(doc: string, name: string, content: string): string {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i === -1 || j === -1 || j < i)
    throw new Error(`docs/performance.md lacks the ${begin} … ${end} markers`);
  return `${doc.slice(0, i + begin.length)}\n\n${content}\n\n${doc.slice(j)}`;
}

/** Formats with the repository's prettier settings, so that `npm run lint` accepts the file. */
async function prettify(text: string, file: URL): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file.pathname)) ?? {};
    return await prettier.format(text, { ...options, filepath: file.pathname });
  } catch {
    return text;
  }
}

export async function writeResults(
  sections: readonly SectionResult[],
  machine: MachineInfo,
  run: RunInfo,
): Promise<string[]> {
  mkdirSync(new URL('bench/results/', root), { recursive: true });
  writeFileSync(JSON_OUT, `${JSON.stringify({ machine, run, sections }, null, 1)}\n`);
  writeFileSync(CHART, renderChart(sections, machine));
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : SKELETON;
  doc = replaceBlock(doc, 'headline', headline(sections, machine, run));
  doc = replaceBlock(doc, 'results', results(sections, machine, run));
  writeFileSync(DOC, await prettify(doc, DOC));
  return ['docs/performance.md', 'docs/performance.svg', 'bench/results/latest.json'];
}
