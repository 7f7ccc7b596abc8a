import { startServer } from '@kilndb/server';
import { TOUR_LOGIN } from './tour-login.js';

// The tour's server process: `node tour-server.js <dataDir>` prints `{"url": ...}` once listening, then serves
// until it is killed (the tour SIGKILLs it) or sent SIGTERM.
const dataDir = process.argv[2];
if (dataDir === undefined) {
  process.stderr.write('usage: tour-server <dataDir>\n');
  process.exit(2);
}
const server = await startServer({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  durability: 'fsync',
  rootUser: TOUR_LOGIN.user,
  rootPassword: TOUR_LOGIN.password,
  jwtSecret: TOUR_LOGIN.jwtSecret,
  logLevel: 'silent',
  // The tour streams thousands of writes from one address; the default 100 a minute would refuse most.
  rateLimitMax: 1_000_000,
});
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
