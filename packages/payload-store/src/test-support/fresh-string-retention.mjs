// How much of the texts behind kept slices stays alive: node --expose-gc fresh-string-retention.mjs
// Prints {"retainedMiB": n}. freshString runs hot first, so the optimising compiler has compiled it, as in
// a server that has been writing for a while; then it copies a 40-character slice out of each of five
// 20 MiB texts, which are dropped.
import { freshString } from '../../dist/json-value.js';

const TEXTS = 5;
const TEXT_CHARS = 20 * 1024 * 1024;

const warm = 'warm-up text '.repeat(100);
let sink = 0;
for (let i = 0; i < 300_000; i++) sink += freshString(warm.slice(i % 500, (i % 500) + 40)).length;

globalThis.gc();
const before = process.memoryUsage().heapUsed;
/** In a function of its own, so no frame still holds the last text once it returns. */
function keepSlices() {
  const out = [];
  for (let i = 0; i < TEXTS; i++) {
    const text = String(i).repeat(TEXT_CHARS);
    out.push(freshString(text.slice(100, 140)));
  }
  return out;
}
const kept = keepSlices();
globalThis.gc();
const retained = process.memoryUsage().heapUsed - before;
if (kept.join('').length !== TEXTS * 40 || sink === 0) throw new Error('lost a copy');
console.log(JSON.stringify({ retainedMiB: retained / (1024 * 1024) }));
