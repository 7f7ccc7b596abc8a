/** The small document the server suite writes and reads (about 70 bytes of JSON). */
export function smallDoc(i: number): Record<string, unknown> {
  return { name: `laptop-${String(i)}`, brand: ['lenovo', 'dell', 'apple'][i % 3], price: 500 + (i % 1500), ram: 8 << (i % 3) };
}
