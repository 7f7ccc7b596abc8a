import { cellText } from '../lib/format.js';

/** Documents as a table: `_key` first, then every field any of them has, nested values as JSON. */
export function ResultsTable({ docs, caption }: { docs: readonly Record<string, unknown>[]; caption: string }) {
  const columns = columnsOf(docs);
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {docs.map((doc, i) => (
            <tr key={typeof doc._key === 'string' ? doc._key : i}>
              {columns.map((column) => (
                <td key={column}>{cellText(doc[column])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function columnsOf(docs: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const doc of docs) for (const field of Object.keys(doc)) seen.add(field);
  const system = ['_key', '_v'].filter((field) => seen.has(field));
  return [...system, ...[...seen].filter((field) => !system.includes(field))];
}
