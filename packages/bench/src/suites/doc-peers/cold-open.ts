import { execFileSync } from 'node:child_process';
import { tempDir } from '../../harness.js';
import type { ColdOpenResult, DocPeer } from './store.js';
import { bulkLoad } from './workloads.js';

/**
 * Loads `count` documents into a fresh store of `peer`, settles it, then opens it cold in a fresh
 * `--expose-gc` process `rounds` times (so neither the writer's heap nor its caches are reused, and the
 * peers' memory never mixes).
 */
export async function coldOpens(peer: DocPeer, count: number, rounds: number): Promise<ColdOpenResult[]> {
  const { dir, remove } = tempDir('doc-peers-cold');
  try {
    const store = await peer.open(dir, true);
    await bulkLoad(store, count);
    await store.settle?.();
    await store.close();
    const results: ColdOpenResult[] = [];
    for (let round = 0; round < rounds; round++) results.push(openInChild(peer.coldOpenScript(dir, count)));
    return results;
  } finally {
    remove();
  }
}

function openInChild(script: string): ColdOpenResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  const parsed = JSON.parse(out) as Partial<ColdOpenResult>;
  if (typeof parsed.firstReadMs !== 'number' || typeof parsed.memoryBytes !== 'number') {
    throw new Error(`doc-peers: a cold-open child printed ${out.slice(0, 200)}`);
  }
  return parsed as ColdOpenResult;
}
