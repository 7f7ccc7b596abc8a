import { afterEach } from 'vitest';
import { tempDirMaker } from '../testing/temp-dirs.js';

/** A fresh directory under the OS temp dir, removed after the current test. */
export const tempDir = tempDirMaker('kiln-snapshot', afterEach);
