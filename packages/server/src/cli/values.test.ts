import { describe, expect, it } from 'vitest';
import { CliUsageError, parseBytes, parseDurability, parseDurationMs, parseOrigins, parsePort, parseSwitch, parseTime } from './values.js';

describe('command-line values', () => {
  it('parses ports, sizes and durations, and names the flag in one line when a value is bad', () => {
    expect(parsePort('0', '--port')).toBe(0);
    expect(parsePort('1538', '--port')).toBe(1538);
    expect(() => parsePort('65536', '--port')).toThrow(/^--port: must be a port number 0\.\.65535 .*got "65536"$/);
    expect(() => parsePort('12ab', '--port (from KILNDB_PORT)')).toThrow(CliUsageError);
    expect(parseBytes('10485760', '--max-body-size')).toBe(10_485_760);
    expect(parseBytes('10MiB', '--max-body-size')).toBe(10 * 1024 * 1024);
    expect(parseBytes('512k', '--max-body-size')).toBe(512 * 1024);
    expect(() => parseBytes('10 parsecs', '--max-body-size')).toThrow(/^--max-body-size: /);
    expect(parseDurationMs('60', '--rate-window')).toBe(60_000);
    expect(parseDurationMs('500ms', '--rate-window')).toBe(500);
    expect(parseDurationMs('1d', '--root-token-ttl')).toBe(86_400_000);
    expect(() => parseDurationMs('0', '--rate-window')).toThrow(/^--rate-window: must be a positive duration/);
  });

  it('parses enums, switches, origins and times', () => {
    expect(parseDurability('FLUSH', '--durability')).toBe('flush');
    expect(() => parseDurability('sync', '--durability')).toThrow(/^--durability: must be 'fsync', 'flush' or 'none', got "sync"$/);
    expect(parseSwitch('yes', 'KILNDB_DEV')).toBe(true);
    expect(parseSwitch('0', 'KILNDB_DEV')).toBe(false);
    expect(() => parseSwitch('maybe', 'KILNDB_DEV')).toThrow(/^KILNDB_DEV: must be true or false/);
    expect(parseOrigins('http://a.test, http://b.test', '--cors-origin')).toEqual(['http://a.test', 'http://b.test']);
    expect(() => parseOrigins('*,http://a.test', '--cors-origin')).toThrow(/cannot be mixed/);
    expect(parseTime('2026-11-21T09:00:00Z', '--to-time')).toBe(Date.UTC(2026, 10, 21, 9));
    expect(parseTime('1700000000000', '--to-time')).toBe(1_700_000_000_000);
    expect(() => parseTime('yesterday', '--to-time')).toThrow(/^--to-time: must be an ISO 8601 time/);
  });
});
