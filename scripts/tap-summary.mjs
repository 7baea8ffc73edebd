// Echoes a TAP stream and ends it with a plain "tap: N passed, N failed"
// line, which CI reads (tap's own "# { total: … }" summary stays above it).
// Usage: set -o pipefail; npx tap --reporter=tap | node scripts/tap-summary.mjs
import { createInterface } from 'node:readline';

let summary = null;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  process.stdout.write(line + '\n');
  if (/^# \{ total: \d+/.test(line)) summary = line;
});
lines.on('close', () => {
  const count = (key) => Number(summary?.match(new RegExp(`\\b${key}: (\\d+)`))?.[1] ?? 0);
  if (summary === null) {
    console.log('tap: 0 passed, 1 failed (no summary from tap)');
    process.exitCode = 1;
    return;
  }
  const skipped = count('skip') + count('todo');
  console.log(`tap: ${count('pass')} passed, ${count('fail')} failed${skipped ? `, ${skipped} skipped` : ''}`);
});
