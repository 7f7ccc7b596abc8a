import { crc32 as zlibCrc32 } from 'node:zlib';
import {
  RecordStreamDecoder,
  decodeRecord,
  encodeStore,
  encodeStoreInto,
  scanBuffer,
  storeRecordSize,
} from '@kilndb/wal-format';
import { Bench } from 'tinybench';
import { markdownTable, type Cell, type Suite } from '../harness.js';

/** Bytes of records each benchmark iteration handles, so per-call timer overhead stays negligible. */
const BATCH_BYTES = 256 * 1024;
const STREAM_CHUNK_BYTES = 64 * 1024;

/** Keeps results observable so the work cannot be optimised away. */
let sink = 0;

interface Case {
  readonly label: string;
  readonly payloadLength: number;
  readonly count: number;
  readonly payloads: Uint8Array[];
  /** The batch's records laid end to end, as in a log file. */
  readonly log: Uint8Array;
  readonly offsets: number[];
}

function makeCase(label: string, payloadLength: number): Case {
  const count = Math.max(1, Math.floor(BATCH_BYTES / storeRecordSize(payloadLength)));
  const payloads = Array.from({ length: count }, (_, i) =>
    Uint8Array.from({ length: payloadLength }, (_, j) => (i * 31 + j * 7) & 0xff),
  );
  const log = new Uint8Array(count * storeRecordSize(payloadLength));
  const offsets: number[] = [];
  let at = 0;
  payloads.forEach((payload, i) => {
    offsets.push(at);
    at += encodeStoreInto(log, at, i, payload);
  });
  return { label, payloadLength, count, payloads, log, offsets };
}

function addTasks(bench: Bench, c: Case): void {
  const into = new Uint8Array(c.log.length);
  bench.add(`zlib.crc32 alone (ceiling)|${c.label}`, () => {
    for (const offset of c.offsets) sink ^= zlibCrc32(c.log.subarray(offset, offset + 13 + c.payloadLength));
  });
  bench.add(`encodeStore (new buffer each)|${c.label}`, () => {
    for (let i = 0; i < c.count; i++) sink ^= encodeStore(i, c.payloads[i]!).length;
  });
  bench.add(`encodeStoreInto (reused buffer)|${c.label}`, () => {
    let at = 0;
    for (let i = 0; i < c.count; i++) at += encodeStoreInto(into, at, i, c.payloads[i]!);
    sink ^= at;
  });
  bench.add(`decodeRecord|${c.label}`, () => {
    for (const offset of c.offsets) sink ^= decodeRecord(c.log, offset).type.length;
  });
  bench.add(`scanBuffer of the batch|${c.label}`, () => {
    sink ^= scanBuffer(c.log).entries.length;
  });
  bench.add(`RecordStreamDecoder, 64 KiB chunks|${c.label}`, () => {
    const decoder = new RecordStreamDecoder();
    for (let at = 0; at < c.log.length; at += STREAM_CHUNK_BYTES) {
      sink ^= decoder.push(c.log.subarray(at, at + STREAM_CHUNK_BYTES)).length;
    }
    sink ^= decoder.finish().validEnd;
  });
}

/** The middle value; with rounds spread over time it damps a noisy neighbour better than one long run. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export const walFormatSuite: Suite = {
  name: 'wal-format',
  description: 'record codec throughput (MB/s of record bytes: payload + 17 bytes of framing)',
  async run({ quick }) {
    const cases = [makeCase('100 B', 100), makeCase('4 KiB', 4096)];
    const rounds = quick ? 1 : 5;
    const bench = new Bench({ time: quick ? 200 : 500, warmupTime: quick ? 50 : 200, throws: true });
    for (const c of cases) addTasks(bench, c);
    const batchesPerSecond = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      await bench.run();
      for (const task of bench.tasks) {
        const runs = batchesPerSecond.get(task.name) ?? [];
        runs.push(task.result?.throughput.mean ?? Number.NaN);
        batchesPerSecond.set(task.name, runs);
      }
    }

    const rows: Cell[][] = [];
    for (const [name, runs] of batchesPerSecond) {
      const [operation = name, label = ''] = name.split('|');
      const c = cases.find((x) => x.label === label)!;
      const perSecond = median(runs);
      const spread = ((Math.max(...runs) - Math.min(...runs)) / perSecond) * 100;
      rows.push([operation, label, (perSecond * c.log.length) / 1e6, (perSecond * c.count) / 1e6, `${spread.toFixed(0)}%`]);
    }
    console.log(`Median of ${rounds} round(s); spread = (max - min) / median across rounds.\n`);
    console.log(markdownTable(['operation', 'payload', 'MB/s', 'M records/s', 'spread'], rows));
    if (sink === 0.5) console.log('unreachable: keeps the results live');
  },
};
