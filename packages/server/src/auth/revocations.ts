import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '@kilndb/wal-format';

/** The revocation file could not be trusted at start: the server refuses to run rather than forget revocations. */
export class RevocationFileError extends KilnError {
  static override readonly kilnCode = 'KILN_REVOCATION_FILE';
  override readonly name = 'RevocationFileError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Revocation file ${path} ${reason}`);
  }
}

interface RevocationFile {
  readonly version: 1;
  /** `[jti, exp]` pairs: exp (unix seconds) is when the entry may be pruned, the token being dead by then. */
  readonly entries: [string, number][];
  /** HMAC-SHA256 (hex) of JSON.stringify(entries). */
  readonly mac: string;
}

function macKey(jwtSecret: string): Buffer {
  // A key of its own, derived from the JWT secret, so the file's MAC never doubles as a token signature.
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'kilndb-auth', 'revocations-hmac-v1', 32));
}

function isEntryList(value: unknown): value is [string, number][] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'number',
    )
  );
}

/**
 * Revoked token ids, kept in memory and persisted to `<dataDir>/auth/revocations.json` after every change
 * (temp file, fsync, rename). Entries past their expiry are dropped on load and on every write.
 */
export class RevocationStore {
  private readonly revoked = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();
  private tempCounter = 0;

  private constructor(
    private readonly dir: string,
    private readonly key: Buffer,
  ) {}

  get path(): string {
    return join(this.dir, 'revocations.json');
  }

  /** Loads the file if there is one; throws RevocationFileError when it is unreadable, malformed or its MAC fails. */
  static async open(dataDir: string, jwtSecret: string): Promise<RevocationStore> {
    const store = new RevocationStore(join(dataDir, 'auth'), macKey(jwtSecret));
    await mkdir(store.dir, { recursive: true });
    let text: string;
    try {
      text = await readFile(store.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw new RevocationFileError(store.path, `cannot be read: ${(error as Error).message}`);
    }
    store.load(text);
    return store;
  }

  private load(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RevocationFileError(this.path, 'is not valid JSON');
    }
    const file = parsed as Partial<RevocationFile> | null;
    if (typeof file !== 'object' || file === null || file.version !== 1 || typeof file.mac !== 'string' || !isEntryList(file.entries)) {
      throw new RevocationFileError(this.path, 'does not have the expected {version, entries, mac} shape');
    }
    const expected = this.mac(file.entries);
    const actual = Buffer.from(file.mac, 'hex');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new RevocationFileError(
        this.path,
        'fails its integrity check (edited, or signed with another JWT secret); restore it, or delete it knowing every revocation in it is lost',
      );
    }
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of file.entries) if (exp > now) this.revoked.set(jti, exp);
  }

  private mac(entries: readonly (readonly [string, number])[]): Buffer {
    return createHmac('sha256', this.key).update(JSON.stringify(entries)).digest();
  }

  has(jti: string): boolean {
    return this.revoked.has(jti);
  }

  /** Revokes `jti` until `exp` (unix seconds) and resolves once the file on disk says so. */
  revoke(jti: string, exp: number): Promise<void> {
    this.revoked.set(jti, Math.max(exp, this.revoked.get(jti) ?? 0));
    return this.persist();
  }

  private persist(): Promise<void> {
    // Writes run one at a time; each writes the whole current set, so the last one to finish is complete.
    const next = this.writing.then(() => this.writeFile());
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeFile(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of this.revoked) if (exp <= now) this.revoked.delete(jti);
    const entries = [...this.revoked];
    const file: RevocationFile = { version: 1, entries, mac: this.mac(entries).toString('hex') };
    const temp = `${this.path}.${String(process.pid)}.${String(this.tempCounter++)}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(file));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
