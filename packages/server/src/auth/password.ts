import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';
import { KilnError } from '@kilndb/wal-format';

const KEY_LENGTH = 64;

function derive(password: BinaryLike, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** An scrypt hash of a password with a random salt; the plain password is not kept. */
export class PasswordHash {
  private constructor(
    private readonly salt: Buffer,
    private readonly hash: Buffer,
  ) {}

  static async of(password: string): Promise<PasswordHash> {
    const salt = randomBytes(16);
    return new PasswordHash(salt, await derive(password, salt));
  }

  /** True when `password` hashes to the stored hash; the comparison takes the same time either way. */
  async matches(password: string): Promise<boolean> {
    return timingSafeEqual(await derive(password, this.salt), this.hash);
  }
}

/** Too many password checks are running or waiting; the caller should answer 503 and let the client retry. */
export class PasswordCheckBusyError extends KilnError {
  static override readonly kilnCode = 'KILN_PASSWORD_CHECK_BUSY';
  override readonly name = 'PasswordCheckBusyError';
}

/**
 * Bounds the password checks in flight. Each scrypt call takes 16 MiB and a libuv thread for tens of
 * milliseconds, and the same four threads serve the database's file I/O, so a burst of logins (from many
 * addresses, each under the rate limit) must not queue without bound in front of the writes.
 */
export class CheckGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new PasswordCheckBusyError('Too many password checks in progress');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, or is given back.
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}
