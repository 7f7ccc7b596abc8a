// Heap per document written through the built package: node --expose-gc written-memory.mjs <dir> <code|parsed>
// Prints {"bytesPerDoc": n, "jsonBytes": n}. Documents are built in code (concatenated strings, repeated
// short values) or parsed from JSON, as a server receives them.
import { Database } from '../../dist/index.js';

const [dir, origin] = process.argv.slice(2);
const COUNT = 20_000;
const BATCH = 500;
const make = (i) => ({
  name: `user-${i}`,
  age: 18 + (i % 60),
  city: 'city-' + String(i % 40).padStart(2, '0'),
  tags: ['t' + (i % 5), 't' + (i % 7)],
  bio: 'lorem ipsum dolor sit amet '.repeat(4) + i,
});
const db = await Database.open(dir, { durability: 'none' });
const docs = db.collection('docs');
globalThis.gc();
const before = process.memoryUsage().heapUsed;
for (let at = 0; at < COUNT; at += BATCH) {
  const batch = {};
  for (let i = at; i < at + BATCH; i++) batch[`k${i}`] = origin === 'parsed' ? JSON.parse(JSON.stringify(make(i))) : make(i);
  await docs.insert(batch);
}
globalThis.gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ bytesPerDoc: (after - before) / COUNT, jsonBytes: JSON.stringify(make(COUNT / 2)).length }));
await db.close();
