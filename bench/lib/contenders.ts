/**
 * The contenders of a suite with Python Twisted among them only where it is installed.
 *
 * @module
 */
import type { Section, SuiteContext } from './results.ts';

/**
 * `contenders` with `python` (the Python Twisted contender) added last when Python Twisted is
 * installed; otherwise the section notes why that column is missing.
 */
export function withPython(
  ctx: SuiteContext,
  section: Section,
  contenders: string[],
  python: string,
): string[] {
  if (ctx.python === null) {
    section.skip(ctx.pythonMissing);
    return contenders;
  }
  return [...contenders, python];
}
