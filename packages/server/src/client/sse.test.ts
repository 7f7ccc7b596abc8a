import { describe, expect, it } from 'vitest';
import { KilnAuthError, KilnConflictError, KilnHttpError, KilnNotFoundError, httpErrorFor } from './errors.js';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('parses events split across chunks at any point, with CRLF or LF', () => {
    const text = ': connected\r\n\r\nid: 5\r\nevent: change\r\ndata: {"seq":5}\r\n\r\nid: 6\nevent: change\ndata: {"seq":6}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const messages = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(messages, `cut at ${cut}`).toEqual([
        { event: 'change', data: '{"seq":5}', id: '5' },
        { event: 'change', data: '{"seq":6}', id: '6' },
      ]);
    }
  });

  it('joins data lines, defaults the event to message, skips comments and events without data', () => {
    const parser = new SseParser();
    expect(parser.push(': heartbeat\n\nevent: ping\n\ndata: a\ndata:b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });

  it('waits for the \\n after a trailing \\r', () => {
    const parser = new SseParser();
    expect(parser.push('data: x\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });
});

describe('httpErrorFor', () => {
  it('picks the typed error by status and takes the message from body.error', () => {
    const conflict = httpErrorFor(412, { error: 'stale', statusCode: 412, detail: { current: 4 } });
    if (!(conflict instanceof KilnConflictError)) throw new Error('expected a KilnConflictError');
    expect(conflict.current).toBe(4);
    expect(conflict.message).toBe('stale');
    const absent = httpErrorFor(409, { error: 'x', detail: { current: null } });
    expect(absent instanceof KilnConflictError && absent.current).toBeNull();
    expect(httpErrorFor(401, {})).toBeInstanceOf(KilnAuthError);
    expect(httpErrorFor(403, {})).toBeInstanceOf(KilnAuthError);
    expect(httpErrorFor(404, {})).toBeInstanceOf(KilnNotFoundError);
    const other = httpErrorFor(503, 'down');
    expect(other.constructor).toBe(KilnHttpError);
    expect(other.status).toBe(503);
    expect(other.message).toBe('HTTP 503: down');
  });
});
