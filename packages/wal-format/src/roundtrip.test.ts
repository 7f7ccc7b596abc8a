import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from './decode.js';
import { encodeDelete, encodeDeleteInto, encodeStore, encodeStoreInto } from './encode.js';
import { toRecordId } from './id.js';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const payloads = fc.uint8Array({ maxLength: 4200 });

describe('round trips', () => {
  it('store: any u64 bigint id and payload up to ~4 KiB', () => {
    fc.assert(
      fc.property(u64, payloads, (id, payload) => {
        const bytes = encodeStore(id, payload);
        expect(bytes.length).toBe(17 + payload.length);
        expect(decodeRecord(bytes)).toEqual({ type: 'store', id, payload, legacy: false, size: bytes.length });
      }),
    );
  });

  it('store: safe-integer number ids come back as the equal bigint', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.uint8Array({ maxLength: 64 }), (id, payload) => {
        expect(decodeRecord(encodeStore(id, payload))).toMatchObject({ type: 'store', id: BigInt(id), payload });
      }),
    );
  });

  it('delete: any u64 id, bigint or safe number', () => {
    fc.assert(
      fc.property(fc.oneof(u64, fc.maxSafeNat()), (id) => {
        expect(decodeRecord(encodeDelete(id))).toEqual({ type: 'delete', id: BigInt(id), legacy: false, size: 13 });
      }),
    );
  });

  it('records encoded into a shared buffer at arbitrary offsets decode in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: u64, payload: fc.option(fc.uint8Array({ maxLength: 300 })) }), { maxLength: 20 }),
        fc.nat(50),
        (records, start) => {
          const size = records.reduce((n, r) => n + (r.payload === null ? 13 : 17 + r.payload.length), start);
          const buf = new Uint8Array(size);
          let at = start;
          const offsets: number[] = [];
          for (const r of records) {
            offsets.push(at);
            at += r.payload === null ? encodeDeleteInto(buf, at, r.id) : encodeStoreInto(buf, at, r.id, r.payload);
          }
          expect(at).toBe(buf.length);
          records.forEach((r, i) => {
            const decoded = decodeRecord(buf, offsets[i]);
            if (r.payload === null) expect(decoded).toMatchObject({ type: 'delete', id: r.id });
            else expect(decoded).toMatchObject({ type: 'store', id: r.id, payload: r.payload });
          });
        },
      ),
    );
  });

  it('toRecordId accepts every u64 bigint and safe integer unchanged', () => {
    fc.assert(
      fc.property(u64, fc.maxSafeNat(), (big, safe) => {
        expect(toRecordId(big)).toBe(big);
        expect(toRecordId(safe)).toBe(BigInt(safe));
      }),
    );
  });
});
