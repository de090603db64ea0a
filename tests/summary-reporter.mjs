// Prints one plain summary line, "N passed, N failed, N skipped", for CI logs.
export default class SummaryReporter {
  counts = { passed: 0, failed: 0, skipped: 0 };
  onTestEnd(test, result) {
    // Count each test once, by its final outcome.
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    if (result.status === 'passed') this.counts.passed++;
    else if (result.status === 'skipped') this.counts.skipped++;
    else this.counts.failed++;
  }
  onEnd() {
    const { passed, failed, skipped } = this.counts;
    console.log(`\nplaywright: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
  printsToStdio() {
    return false;
  }
}
