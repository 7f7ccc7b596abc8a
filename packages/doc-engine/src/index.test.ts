/**
 * The published surface, pinned: what `@kilndb/doc-engine` exports (values and types, read from the built
 * `.d.ts` as a consumer's compiler sees it) and the public members of its engine classes. Adding a name here
 * is a semver promise, so it has to be a visible change to this list, never a side effect of `export *`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { tempDir } from './test-support/temp-dir.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

const VALUE_EXPORTS = [
  'ChangesUnavailableError',
  'Collection',
  'ConflictError',
  'Database',
  'DatabaseClosedError',
  'DatabaseLayoutError',
  'DatabaseReadOnlyError',
  'DecryptionError',
  'DirectoryLockedError',
  'DocumentNotFoundError',
  'ImportTargetNotEmptyError',
  'InvalidCollectionNameError',
  'InvalidDocumentError',
  'InvalidDocumentKeyError',
  'InvalidInputError',
  'InvalidKeyError',
  'InvalidOptionError',
  'KeyringCorruptError',
  'KilnError',
  'LogClosedError',
  'LogEntryFormatError',
  'LogFailedError',
  'LogReadOnlyError',
  'LogWriteError',
  'MissingKeyError',
  'MoltenDbInputError',
  'QueryError',
  'RecoveryRangeError',
  'ReservedFieldError',
  'SchemaError',
  'SchemaValidationError',
  'SnapshotFormatError',
  'Transaction',
  'TransactionClosedError',
  'TransactionCollection',
  'UnexpectedKeyError',
  'UnsupportedKdfError',
  'WrongKeyError',
  'compileSchema',
  'exportJsonl',
  'hasErrorCode',
  'importMoltenDb',
  'isKilnError',
  'recover',
  'uuid7',
];

const TYPE_EXPORTS = [
  'ChangeListener',
  'ChangesOptions',
  'CollectionStats',
  'Commit',
  'DatabaseOptions',
  'DatabaseStats',
  'DatabaseWarning',
  'DeleteWhereOptions',
  'Durability',
  'EncryptionKey',
  'EntryLogStats',
  'ExpiryOptions',
  'ExportJsonlOptions',
  'FieldOperatorInput',
  'ImportMoltenDbOptions',
  'InsertInput',
  'JoinInput',
  'JsonObject',
  'JsonValue',
  'JsonlExportSummary',
  'KilnErrorClass',
  'LogCommand',
  'LogEntry',
  'MoltenDbInputProblem',
  'MoltenImportSummary',
  'MoltenReplayStats',
  'PostBackupHook',
  'QueryErrorCode',
  'QueryInput',
  'ReadDoc',
  'RecoverOptions',
  'RecoverResult',
  'RejectedDocument',
  'RejectedDocumentReason',
  'ResultDoc',
  'SchemaIssue',
  'SequencedEntry',
  'SnapshotInfo',
  'SortOrder',
  'VersionGuard',
  'WhereInput',
  'WriteOptions',
  'WriteResult',
];

/** Public members of each engine class: instance members, then static ones after `static`. */
const CLASS_MEMBERS: Record<string, string[]> = {
  Database: [
    'changes',
    'close',
    'collection',
    'collections',
    'compact',
    'directory',
    'onChange',
    'seq',
    'snapshot',
    'stats',
    'sweepExpired',
    'transaction',
    'static open',
  ],
  Collection: [
    'count',
    'createIndex',
    'delete',
    'deleteMany',
    'deleteOldest',
    'deleteWhere',
    'drop',
    'dropIndex',
    'find',
    'get',
    'indexes',
    'insert',
    'keys',
    'name',
    'schema',
    'set',
    'setMaxSize',
    'setSchema',
    'setTtl',
    'stats',
    'update',
  ],
  Transaction: ['collection'],
  TransactionCollection: ['count', 'delete', 'deleteMany', 'drop', 'get', 'insert', 'keys', 'name', 'set', 'update'],
};

/** Names of the engine's parts, which no public class may show (in its type, or at run time). */
const ENGINE_NAMES = ['state', 'commitOps', 'commitSelected', 'readTime', 'assertOpen', 'context', 'DocumentState', 'DatabaseInternals', 'TransactionContext', 'CommitPipeline'];

function builtFile(name: string): string {
  const file = `${DIST}${name}`;
  if (!existsSync(file)) throw new Error(`${file} is missing: build doc-engine first (pnpm build)`);
  return file;
}

interface Surface {
  readonly values: string[];
  readonly types: string[];
  readonly members: Record<string, string[]>;
}

/** Import lines name folders (`./state/...`), which is no exposure; the declarations after them count. */
function withoutImports(declarations: string): string {
  return declarations
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .join('\n');
}

/** The `declare class` blocks of a `.d.ts` (tsc ends each with a `}` alone on a line). */
function classBodies(declarations: string): string[] {
  return [...declarations.matchAll(/^export declare class [^\n]*\{\n[\s\S]*?^\}$/gm)].map((match) => match[0]);
}

let loaded: Surface | undefined;

/** What a consumer's compiler sees through `dist/index.d.ts` (loaded once for the file's tests). */
function publishedSurface(): Surface {
  loaded ??= loadSurface();
  return loaded;
}

function loadSurface(): Surface {
  const entry = builtFile('index.d.ts');
  // Declarations only are read, so the standard library is not needed (and loading it would cost seconds).
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    noLib: true,
    types: [],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${entry} did not load as a module`);
  const values: string[] = [];
  const types: string[] = [];
  const members: Record<string, string[]> = {};
  for (const exported of checker.getExportsOfModule(module)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(exported.name);
    if (exported.name in CLASS_MEMBERS && target.flags & ts.SymbolFlags.Class) {
      const instance = publicNames(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)));
      const statics = publicNames(checker.getPropertiesOfType(checker.getTypeOfSymbol(target))).filter((name) => name !== 'prototype');
      members[exported.name] = [...instance, ...statics.map((name) => `static ${name}`)];
    }
  }
  return { values: values.sort(), types: types.sort(), members };
}

/** Names a caller can use: not TypeScript-private or protected, not the `#private` placeholder of ES private fields. */
function publicNames(symbols: readonly ts.Symbol[]): string[] {
  return symbols
    .filter((symbol) => {
      if (symbol.name.startsWith('#')) return false;
      const declaration = symbol.valueDeclaration;
      return declaration === undefined || (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
    })
    .map((symbol) => symbol.name)
    .sort();
}

describe('the published surface', () => {
  it('exports exactly the names listed, values and types, with nothing re-exported wholesale', () => {
    const surface = publishedSurface();
    expect(surface.values).toEqual(VALUE_EXPORTS);
    expect(surface.types).toEqual(TYPE_EXPORTS);
    const index = readFileSync(fileURLToPath(new URL('./index.ts', import.meta.url)), 'utf8');
    expect(index).not.toMatch(/export\s*\*/);
  });

  it('exports the same values at run time as its declarations promise', async () => {
    const module: Record<string, unknown> = await import('./index.js');
    expect(Object.keys(module).sort()).toEqual(VALUE_EXPORTS);
  });

  it('gives the engine classes only their documented public members', () => {
    expect(publishedSurface().members).toEqual(CLASS_MEMBERS);
  });

  it('names no engine internal in the declarations of the public classes', () => {
    // database.d.ts as a whole; in collection.d.ts and transaction.d.ts the classes (the factories beside
    // them name the engine types, but the package does not export the factories).
    const database = withoutImports(readFileSync(builtFile('database.d.ts'), 'utf8'));
    const classes = ['collection.d.ts', 'transaction.d.ts'].flatMap((file) => classBodies(readFileSync(builtFile(file), 'utf8')));
    expect(classes).toHaveLength(3);
    for (const declarations of [database, ...classes]) {
      for (const name of ENGINE_NAMES) expect(declarations, `declarations mention ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('keeps the engine unreachable at run time from a database, a collection and a transaction', async () => {
    const db = await Database.open(tempDir('surface'));
    try {
      const collection = db.collection('c');
      expect(Object.keys(db)).toEqual(['directory']);
      expect(Object.keys(collection)).toEqual(['name']);
      await db.transaction((tx) => {
        const handle = tx.collection('c');
        expect(Object.keys(tx)).toEqual([]);
        expect(Object.keys(handle)).toEqual(['name']);
        for (const name of ENGINE_NAMES) {
          for (const [what, object] of Object.entries({ db, collection, tx, handle })) expect(name in object, `${what}.${name}`).toBe(false);
        }
      });
    } finally {
      await db.close();
    }
  });
});
