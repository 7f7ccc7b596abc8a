import { machineLine, type Suite } from './harness.js';
import { suites } from './suites.js';

// Usage: node dist/run.js [suite ...] [--quick]
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected: Suite[] = wanted.length > 0 ? suites.filter((s) => wanted.includes(s.name)) : suites;

console.log(`# KilnDB benchmarks\n\nMachine: ${machineLine()}\n`);
for (const suite of selected) {
  console.log(`## ${suite.name}: ${suite.description}\n`);
  await suite.run({ quick });
  console.log('');
}
