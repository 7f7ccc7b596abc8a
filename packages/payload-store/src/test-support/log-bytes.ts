/** Lays records end to end, as a log file holds them; returns the file and each record's start offset. */
export function layRecords(records: readonly Uint8Array[]): { file: Uint8Array; starts: number[] } {
  const starts: number[] = [];
  let size = 0;
  for (const record of records) {
    starts.push(size);
    size += record.length;
  }
  const file = new Uint8Array(size);
  records.forEach((record, i) => {
    file.set(record, starts[i]);
  });
  return { file, starts };
}
