/**
 * How `twisted-ts doctor` prints its results: an aligned table for people, one JSON document
 * for machines.
 *
 * @module
 */
import type { CheckResult, CheckStatus } from './checks.ts';
import { wrap } from '../usage/usage-text.ts';

const marks: Record<CheckStatus, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The whole report as one JSON-friendly object (the shape `--json` prints). */
export interface DoctorReport {
  /** True when no check failed (warnings allowed). */
  ok: boolean;
  /** The Node version that ran the checks (`process.versions.node`, e.g. `24.1.0`). */
  node: string;
  /** `process.platform` (`linux`, `darwin`, `win32` …). */
  platform: string;
  /** `process.arch` (`x64`, `arm64` …). */
  arch: string;
  /** Counts per status. */
  summary: Record<CheckStatus, number>;
  /** Every check, in the order it ran. */
  checks: CheckResult[];
}

/** Builds the report from the results. */
export function makeReport(checks: CheckResult[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status] += 1;
  return {
    ok: summary.fail === 0,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    summary,
    checks,
  };
}

/** The report as a table, then a "how to fix" section for every warning and failure. */
export function formatTable(report: DoctorReport): string {
  const titleWidth = Math.max(...report.checks.map((c) => c.title.length), 5);
  const detailWidth = 64;
  const out: string[] = [
    `twisted-ts doctor — Node ${report.node} on ${report.platform}/${report.arch}`,
    '',
    `${'     '} ${'check'.padEnd(titleWidth)}  result`,
    `${'-----'} ${'-'.repeat(titleWidth)}  ${'-'.repeat(detailWidth)}`,
  ];
  for (const c of report.checks) {
    const detail = wrap(c.code === undefined ? c.detail : `[${c.code}] ${c.detail}`, detailWidth);
    out.push(`${marks[c.status].padEnd(5)} ${c.title.padEnd(titleWidth)}  ${detail[0] ?? ''}`);
    for (const more of detail.slice(1)) out.push(`${' '.repeat(5)} ${' '.repeat(titleWidth)}  ${more}`);
  }
  const toFix = report.checks.filter((c) => c.fix !== undefined);
  if (toFix.length > 0) {
    out.push('', 'How to fix:');
    for (const c of toFix) {
      const lines = wrap(c.fix!, 96);
      out.push(`  ${marks[c.status]} ${c.title}:`);
      for (const l of lines) out.push(`      ${l}`);
    }
  }
  const s = report.summary;
  out.push(
    '',
    `${s.pass} passed, ${s.warn} warnings, ${s.fail} failed, ${s.skip} skipped — ` +
      (report.ok ? 'this host can run twisted-ts UDP and multicast code.' : 'fix the failures above.'),
  );
  return out.join('\n') + '\n';
}
