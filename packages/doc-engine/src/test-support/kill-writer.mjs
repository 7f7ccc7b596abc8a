// Child process of kill.test.ts: writes to a database through the built package until it is SIGKILLed,
// printing "begin <op>" before each write and "ack <op>" once it resolved (stdout is a pipe, which Node
// writes synchronously on Linux, so an ack printed is an ack the parent sees).
// Usage: node kill-writer.mjs <dir> <round>
import { Database } from '../../dist/index.js';

const [dir, round] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
const db = await Database.open(dir, { durability: 'fsync', compactThresholdBytes: 24 * 1024, onWarning: () => undefined });
say('ready');
const pad = 'x'.repeat(200);

async function lane(id) {
  for (let j = 0; ; j++) {
    const key = `r${round}-L${id}-${j}`;
    if (j % 5 === 4) {
      const tx = `r${round}-L${id}-tx${j}`;
      say(`begin tx ${tx}`);
      await db.transaction(async (t) => {
        await t.collection('c').set(`${tx}-a`, { j, pad });
        await t.collection('c').set(`${tx}-b`, { j, pad });
        await t.collection('c').set(`${tx}-c`, { j, pad });
      });
      say(`ack tx ${tx}`);
    } else if (j % 5 === 3) {
      const victim = `r${round}-L${id}-${j - 2}`;
      say(`begin del ${victim}`);
      await db.collection('c').delete(victim);
      say(`ack del ${victim}`);
    } else {
      say(`begin set ${key} ${j}`);
      await db.collection('c').set(key, { j, pad });
      say(`ack set ${key} ${j}`);
    }
  }
}

await Promise.all([lane(0), lane(1), lane(2), lane(3)]);
