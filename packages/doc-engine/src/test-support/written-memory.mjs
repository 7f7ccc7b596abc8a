// Heap per document written through the built package: node --expose-gc written-memory.mjs <dir> <code|parsed|sliced>
// Prints {"bytesPerDoc": n, "jsonBytes": n}. Documents are built in code (concatenated strings, repeated
// short values), parsed from JSON (as a server receives them), or hold slices of a large text (keys too),
// as an import that splits a file would: the text is dropped after each batch.
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
/** The batch's documents as slices of one text of about 1 MB, keys included. */
function slicedBatch(at) {
  const parts = [];
  for (let i = at; i < at + BATCH; i++) parts.push(`key-of-document-${String(i).padStart(8, '0')}`, make(i).bio);
  const text = parts.join('') + ' '.repeat(1 << 20);
  const batch = {};
  let offset = 0;
  for (let i = at; i < at + BATCH; i++) {
    const key = text.slice(offset, offset + parts[2 * (i - at)].length);
    offset += key.length;
    const bio = text.slice(offset, offset + parts[2 * (i - at) + 1].length);
    offset += bio.length;
    batch[key] = { ...make(i), bio };
  }
  return batch;
}

for (let at = 0; at < COUNT; at += BATCH) {
  let batch = {};
  if (origin === 'sliced') batch = slicedBatch(at);
  else for (let i = at; i < at + BATCH; i++) batch[`k${i}`] = origin === 'parsed' ? JSON.parse(JSON.stringify(make(i))) : make(i);
  await docs.insert(batch);
}
globalThis.gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ bytesPerDoc: (after - before) / COUNT, jsonBytes: JSON.stringify(make(COUNT / 2)).length }));
await db.close();
