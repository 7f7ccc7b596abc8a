// The `kilndb` command line: `serve` and the offline tools. Every error ends as one line on stderr and a
// non-zero exit status, never a stack.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { describeError, exitCodeOf, oneLine } from './errors.js';
import { formatInspect, inspectDatabase } from './inspect.js';
import { compactDatabase, exportDatabase, importMolten, recoverDatabase, type CommandResult } from './offline.js';
import { createProgress } from './progress.js';
import { serve } from './serve.js';
import { planServe, SETTINGS } from './serve-options.js';
import { parseNonNegativeInt, parseTime } from './values.js';
import { formatVerify, verifyDatabase } from './verify.js';

const COMMANDS = ['serve', 'inspect', 'verify', 'compact', 'import-moltendb', 'export', 'recover'];

interface DatabaseFlags {
  readonly json?: boolean;
  readonly encryptionKey?: string;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function encryptionKeyOf(flags: DatabaseFlags): string | undefined {
  const fromEnv = process.env.KILNDB_ENCRYPTION_KEY;
  return flags.encryptionKey ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
}

function print(result: CommandResult, flags: DatabaseFlags): void {
  out(flags.json === true ? JSON.stringify(result.json, null, 2) : result.text);
}

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Adds `--encryption-key` and `--json` to a command that opens a database. */
function databaseCommand(command: Command): Command {
  return command
    .option('--encryption-key <key>', 'the database passphrase (env KILNDB_ENCRYPTION_KEY)')
    .option('--json', 'print the result as JSON');
}

function buildProgram(argv: readonly string[]): { program: Command; commandName: () => string } {
  // The command named on the line, so errors commander finds before any action still say which command.
  let current = argv[2] !== undefined && COMMANDS.includes(argv[2]) ? argv[2] : '';
  const program = new Command('kilndb')
    .description('KilnDB: a durable document database server (MoltenDB-compatible) and its offline tools')
    .version(version())
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({
      outputError: (message, write) => {
        write(`kilndb${current === '' ? '' : ` ${current}`}: ${oneLine(message.replace(/^error: /, ''))}\n`);
      },
    })
    .hook('preAction', (_program, action) => {
      current = action.name();
    });

  const serveCommand = program
    .command('serve')
    .description('run the HTTP + WebSocket server; each flag may also come from its KILNDB_* variable (a flag wins)')
    .addHelpText('after', '\nSecrets are safer in KILNDB_* variables than in flags, which other users can see in the process list.')
    .action(async (flags: Record<string, unknown>) => {
      const plan = planServe(flags, process.env);
      const code = await serve(plan, { out, err });
      process.exit(code);
    });
  for (const setting of SETTINGS) {
    const spec = setting.value === '' ? `--${setting.flag}` : `--${setting.flag} ${setting.value}`;
    const moltenEnvOnly = 'moltenEnv' in setting && !('moltenFlag' in setting) ? `, ${setting.moltenEnv}` : '';
    serveCommand.addOption(new Option(spec, `${setting.description} [${setting.env}${moltenEnvOnly}]`));
  }
  for (const setting of SETTINGS) {
    if (!('moltenFlag' in setting)) continue;
    serveCommand.addOption(
      new Option(`--${setting.moltenFlag} ${setting.value}`, `MoltenDB's name for --${setting.flag} [${setting.moltenEnv}]`).helpGroup(
        "MoltenDB's names (accepted, with a note; MOLTENDB_* variables likewise):",
      ),
    );
  }

  databaseCommand(program.command('inspect').argument('<dir>', 'database directory'))
    .description('describe a database: documents, collections, segments, live/dead bytes, snapshot, quarantined bytes (read-only; safe beside a running server)')
    .action(async (dir: string, flags: DatabaseFlags) => {
      const report = await inspectDatabase(dir, encryptionKeyOf(flags), createProgress());
      print({ text: formatInspect(report), json: report }, flags);
    });

  databaseCommand(program.command('verify').argument('<dir>', 'database directory'))
    .description("check every log record's CRC and every snapshot; exit 0 only when nothing is wrong (read-only; run it on a stopped server's directory or a copy, as a live server's last record may be mid-write)")
    .action(async (dir: string, flags: DatabaseFlags) => {
      const report = await verifyDatabase(dir, encryptionKeyOf(flags), createProgress());
      print({ text: formatVerify(report), json: report }, flags);
      if (!report.ok) process.exitCode = 1;
    });

  databaseCommand(program.command('compact').argument('<dir>', 'database directory'))
    .description('write a snapshot of the current state and retire the log segments it covers (the server must be stopped)')
    .action(async (dir: string, flags: DatabaseFlags) => {
      print(await compactDatabase(dir, encryptionKeyOf(flags), createProgress()), flags);
    });

  databaseCommand(program.command('import-moltendb').argument('<log>', "MoltenDB's log file (its .snapshot.bin beside it is read too)").argument('<dir>', 'new KilnDB directory'))
    .description('import a MoltenDB database (JSON-lines log and snapshot) into a new KilnDB directory')
    .option('--ignore-snapshot', "replay the log alone, as MoltenDB does when its snapshot is unreadable")
    .action(async (log: string, dir: string, flags: DatabaseFlags & { ignoreSnapshot?: boolean }) => {
      print(await importMolten(log, dir, { encryptionKey: encryptionKeyOf(flags), ignoreSnapshot: flags.ignoreSnapshot === true }, createProgress()), flags);
    });

  databaseCommand(program.command('export').argument('<dir>', 'database directory').argument('<file>', 'output file'))
    .description("write the current documents as a MoltenDB JSON-lines log (MoltenDB or import-moltendb loads it)")
    .action(async (dir: string, file: string, flags: DatabaseFlags) => {
      print(await exportDatabase(dir, file, encryptionKeyOf(flags), createProgress()), flags);
    });

  databaseCommand(program.command('recover').argument('<dir>', 'database directory (stopped, or a copy)'))
    .description('point-in-time recovery into a new directory; the source is left alone')
    .option('--to-time <time>', 'the state after the last commit at or before this time (ISO 8601 or unix ms)')
    .option('--to-seq <n>', 'the state after the last commit at or below this sequence number')
    .requiredOption('--out <dir>', 'new (or empty) directory for the recovered database')
    .action(async (dir: string, flags: DatabaseFlags & { toTime?: string; toSeq?: string; out: string }) => {
      const target = {
        ...(flags.toTime === undefined ? {} : { toTime: parseTime(flags.toTime, '--to-time') }),
        ...(flags.toSeq === undefined ? {} : { toSeq: parseNonNegativeInt(flags.toSeq, '--to-seq') }),
      };
      print(await recoverDatabase(dir, target, flags.out, encryptionKeyOf(flags), createProgress()), flags);
    });

  return { program, commandName: () => current };
}

async function main(argv: readonly string[]): Promise<void> {
  const { program, commandName } = buildProgram(argv);
  const prefix = (): string => `kilndb${commandName() === '' ? '' : ` ${commandName()}`}`;
  // After startup a server's failures would otherwise print a stack and a Node banner.
  process.on('uncaughtException', (error) => {
    err(`${prefix()}: ${describeError(error)}`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    err(`${prefix()}: ${describeError(error)}`);
    process.exit(1);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its own usage errors (and help) already.
    if (!(error instanceof CommanderError)) err(`${prefix()}: ${describeError(error)}`);
    process.exitCode = exitCodeOf(error);
  }
}

await main(process.argv);
