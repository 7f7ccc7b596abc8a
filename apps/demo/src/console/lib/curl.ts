/** Quotes `text` for a POSIX shell: single quotes, with each embedded quote closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `curl` command that sends the same request. The token is left as `$KILNDB_TOKEN` so a copied command
 * never carries a live credential.
 */
export function curlCommand(origin: string, method: string, path: string, body: unknown): string {
  const parts = [`curl -sS -X ${method} ${shellQuote(`${origin}${path}`)}`, `-H 'Authorization: Bearer '"$KILNDB_TOKEN"`];
  if (body !== undefined) parts.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(JSON.stringify(body))}`);
  return parts.join(' \\\n  ');
}
