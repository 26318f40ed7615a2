// Prints the one closing line CI reads, `N passed, N failed, N skipped`, because vitest's own
// summary is not a format CI recognises. With SUMMARY_FILE set it also writes the counts there,
// so .ci/run can add up the runs of its Node matrix.
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const line = `${passed} passed, ${failed} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.SUMMARY_FILE)
      appendFileSync(process.env.SUMMARY_FILE, `${passed} ${failed} ${skipped}\n`);
  }
}
