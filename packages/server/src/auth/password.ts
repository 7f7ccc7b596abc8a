import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

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
