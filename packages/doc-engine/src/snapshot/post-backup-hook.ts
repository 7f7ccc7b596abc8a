import { execFile } from 'node:child_process';
import type { PostBackupHook } from '../options.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs the post-backup hook with `snapshotPath` as its last argument: `execFile`, no shell, killed after its
 * timeout. Resolves with an error describing the failure (non-zero exit, timeout, missing program), or
 * undefined when it succeeded; it never rejects, since a failing hook must not fail the snapshot.
 */
export function runPostBackupHook(hook: PostBackupHook, snapshotPath: string): Promise<Error | undefined> {
  const timeout = hook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    execFile(hook.command, [...(hook.args ?? []), snapshotPath], { timeout, shell: false, windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve(undefined);
        return;
      }
      const signal = (error as { signal?: string | null }).signal;
      const why = error.killed && signal !== null && signal !== undefined ? `timed out after ${timeout} ms (killed with ${signal})` : error.message.trim();
      const output = stderr.trim();
      resolve(new Error(`post-backup hook ${hook.command} failed: ${why}${output === '' ? '' : `; stderr: ${output.slice(0, 500)}`}`, { cause: error }));
    });
  });
}
