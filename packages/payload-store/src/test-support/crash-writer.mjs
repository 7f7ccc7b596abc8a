// A writer for the kill -9 test: opens the store in argv[2] from the BUILT package, then writes until it is
// killed. Every line on stdout reports one operation: "s <id>" (stored { id, pad }, acknowledged),
// "x <id>" (a delete is about to be issued: until acknowledged, the id may or may not survive) and
// "d <id>" (deleted, acknowledged). Writes to a pipe are synchronous on Linux, so a reported line was sent
// before any kill.
import { PayloadStore } from '@kilndb/payload-store';

const [dir, firstIdText] = process.argv.slice(2);
const firstId = Number(firstIdText);
const store = await PayloadStore.open(dir, { snapshotThresholdBytes: 32 * 1024 });
const out = (line) => process.stdout.write(`${line}\n`);
const valueOf = (id) => ({ id, pad: 'x'.repeat(id % 300) });
out('ready');

let next = firstId;
const stored = [];
for (let round = 0; ; round++) {
  const ids = Array.from({ length: 16 }, () => next++);
  const writes = ids.map((id) => store.store(id, valueOf(id)).then(() => {
    stored.push(id);
    out(`s ${id}`);
  }));
  if (round % 5 === 4) {
    const batch = Array.from({ length: 8 }, () => next++);
    writes.push(store.storeBatch(batch.map((id) => [id, valueOf(id)])).then(() => {
      for (const id of batch) out(`s ${id}`);
    }));
  }
  if (round % 3 === 2 && stored.length > 4) {
    const victims = stored.splice(0, 2);
    for (const id of victims) out(`x ${id}`);
    writes.push(store.deleteBatch(victims).then(() => {
      for (const id of victims) out(`d ${id}`);
    }));
  }
  // Compaction runs alongside the writes, so kills land inside it too.
  if (round % 8 === 7) writes.push(store.compact());
  await Promise.all(writes);
}
