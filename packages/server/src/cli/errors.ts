import { CommanderError } from 'commander';
import { CliUsageError } from './values.js';

/** Collapses a message to one line: the CLI never prints a stack or a multi-line error. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The one line printed for an error that ends a command. */
export function describeError(error: unknown): string {
  if (error instanceof CliUsageError) return oneLine(error.message);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Node's own errors ("ENOENT: no such file or directory, open 'x'") name themselves already.
    const named = error.name === 'Error' || error.name === 'TypeError' || (typeof code === 'string' && error.message.startsWith(code));
    return oneLine(named ? error.message : `${error.name}: ${error.message}`);
  }
  return oneLine(String(error));
}

/** Exit status for an error: 2 for a usage mistake (bad flag, bad value, missing argument), 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  return error instanceof CliUsageError ? 2 : 1;
}
