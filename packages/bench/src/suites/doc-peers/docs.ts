/**
 * The documents every store in the doc-peers suite holds: `{ name, age, city, active, score, tags, bio }`,
 * about 250 bytes of JSON, drawn from a seeded generator so every store, round and child process sees
 * the same ones.
 */

// A type alias, not an interface: documents must be assignable to Record<string, unknown>.
export type PeerDoc = {
  name: string;
  age: number;
  city: string;
  active: boolean;
  score: number;
  tags: string[];
  bio: string;
};

/** 100 cities, so an equality on `city` matches 1% of the documents. */
export const CITIES = 100;
export const MIN_AGE = 18;
export const AGES = 73;
export const SCORES = 100_000;

const WORDS = [
  'kiln', 'clay', 'glaze', 'ember', 'stone', 'river', 'amber', 'cedar', 'harbor', 'meadow', 'copper', 'lantern',
  'quiet', 'bright', 'north', 'salt', 'timber', 'willow', 'granite', 'orchard', 'signal', 'paper', 'thread', 'velvet',
];
const TAGS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const SURNAMES = ['Lovelace', 'Hopper', 'Dijkstra', 'Turing', 'Liskov', 'Knuth', 'Hamilton', 'Ritchie', 'Backus', 'Allen'];

/** mulberry32: a small, fast, seeded 32-bit generator; deterministic across processes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)] as T;

/** Document `i`: the same for a given `i` everywhere (its own seed, so documents can be made in any order). */
export function makeDoc(i: number): PeerDoc {
  const random = seeded(i * 2_654_435_761 + 0x9e37);
  const words: string[] = [];
  const bioWords = 19 + Math.floor(random() * 6);
  for (let w = 0; w < bioWords; w++) words.push(pick(WORDS, random));
  const tags: string[] = [];
  const tagCount = 1 + Math.floor(random() * 3);
  for (let t = 0; t < tagCount; t++) tags.push(pick(TAGS, random));
  return {
    name: `${pick(SURNAMES, random)} ${String(i)}`,
    age: MIN_AGE + Math.floor(random() * AGES),
    city: cityName(i % CITIES),
    active: random() < 0.5,
    score: Math.floor(random() * SCORES),
    tags,
    bio: words.join(' '),
  };
}

export function cityName(n: number): string {
  return `city-${String(n).padStart(2, '0')}`;
}

/** Document `i`'s key: fixed width, so key order is insertion order in every store. */
export function docKey(i: number): string {
  return `k${String(i).padStart(9, '0')}`;
}

/** Mean JSON size in bytes of the first `sample` documents. */
export function meanDocBytes(sample = 1000): number {
  let bytes = 0;
  for (let i = 0; i < sample; i++) bytes += Buffer.byteLength(JSON.stringify(makeDoc(i)));
  return bytes / sample;
}

/** Total JSON bytes of documents 0 … count - 1. */
export function totalDocBytes(count: number): number {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += Buffer.byteLength(JSON.stringify(makeDoc(i)));
  return bytes;
}

/** `count` indexes spread over `0 … loaded - 1` in a scattered, repeatable order. */
export function scattered(loaded: number, count: number, salt = 0): number[] {
  return Array.from({ length: count }, (_, i) => ((i + salt) * 2_654_435_761) % loaded);
}
