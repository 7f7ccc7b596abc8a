import type { Suite } from './harness.js';
import { walFormatSuite } from './suites/wal-format.js';
import { payloadStoreSuite } from './suites/payload-store.js';
import { docEngineSuite } from './suites/doc-engine.js';
import { docQuerySuite } from './suites/doc-query.js';
import { serverSuite } from './suites/server.js';
import { docPeersSuite } from './suites/doc-peers/suite.js';

/** Every suite `pnpm bench` runs, in order. Each lives in its own file under suites/. */
export const suites: Suite[] = [walFormatSuite, payloadStoreSuite, docEngineSuite, docQuerySuite, docPeersSuite, serverSuite];
