import { tempDirMaker } from '@kilndb/snapshot/testing';
import { afterEach } from 'vitest';

/** A fresh directory `kiln-doc-engine-<prefix>-XXXXXX` under the OS temp dir, removed after the current test. */
export const tempDir = tempDirMaker('kiln-doc-engine', afterEach);
