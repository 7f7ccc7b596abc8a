import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from './curl.js';

describe('shellQuote', () => {
  it.each(["plain", "it's", `'"$HOME \`x\` \\n`, ''])('survives a real shell unchanged: %s', (text) => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(text)}`]).toString()).toBe(text);
  });
});

describe('curlCommand', () => {
  it('sends the body as JSON to the path and leaves the token to $KILNDB_TOKEN', () => {
    const body = { collection: 'laptops', where: { model: "O'Brien" } };
    const command = curlCommand('http://127.0.0.1:1538', 'POST', '/get', body);
    expect(command).toContain(`-X POST 'http://127.0.0.1:1538/get'`);
    expect(command).toContain('"$KILNDB_TOKEN"');
    // The -d argument, as the shell would pass it to curl, is the body's JSON.
    const data = /-d ('.*')$/s.exec(command)?.[1];
    expect(data).toBeDefined();
    expect(JSON.parse(execFileSync('/bin/sh', ['-c', `printf %s ${data ?? ''}`]).toString())).toEqual(body);
  });
});
