import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from './temp-dirs.js';

describe('tempDirMaker', () => {
  it('makes fresh named directories and removes them all when the registered cleanup runs', () => {
    let cleanup: (() => void) | undefined;
    const make = tempDirMaker('kiln-probe', (fn) => (cleanup = fn));
    const base = mkdtempSync(path.join(tmpdir(), 'kiln-probe-base-'));
    try {
      const plain = make();
      const named = make('x', base);
      expect(path.basename(plain)).toMatch(/^kiln-probe-\w{6}$/);
      expect(path.dirname(named)).toBe(base);
      expect(path.basename(named)).toMatch(/^kiln-probe-x-\w{6}$/);
      expect(make('x', base)).not.toBe(named);
      expect(existsSync(plain) && existsSync(named)).toBe(true);
      cleanup?.();
      expect(existsSync(plain) || existsSync(named)).toBe(false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('registers its cleanup with the afterEach it is given', () => {
    const registered: (() => void)[] = [];
    tempDirMaker('kiln-probe', (fn) => registered.push(fn));
    expect(registered).toHaveLength(1);
  });
});

