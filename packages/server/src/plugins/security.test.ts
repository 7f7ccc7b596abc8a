import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../test-support/http.js';
import { startTestServer } from '../test-support/server.js';
import { helmetHeaders } from './security.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
// An origin on the loopback address: tests name no hosts.
const ORIGIN = 'http://127.0.0.1:5173';

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('are on every JSON answer, errors included, as the lean API set, and there are no CORS headers by default', async () => {
    for (const path of ['/system/health', '/no/such/route']) {
      const answer = await call(server.url, 'GET', path, { headers: { origin: ORIGIN } });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      // HSTS only means something over TLS.
      expect(answer.headers.get('strict-transport-security')).toBeNull();
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("give pages helmet's defaults: a same-origin CSP without upgrade-insecure-requests over plain HTTP", async () => {
    const page = await fetch(`${server.url}/docs/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    // Without TLS the browser must not be told to fetch the pages' assets over https.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('helmetHeaders', () => {
  it("records helmet's headers once, removals included", () => {
    const headers = helmetHeaders({ strictTransportSecurity: { maxAge: 60 }, xFrameOptions: false });
    expect(headers['strict-transport-security']).toBe('max-age=60; includeSubDomains');
    expect(headers['x-frame-options']).toBeUndefined();
    expect(headers['x-powered-by']).toBeUndefined();
    expect(headers['content-security-policy']).toContain("object-src 'none'");
  });
});

describe('CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ corsOrigins: [ORIGIN] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('allows the configured origins with the headers the API uses, and no others', async () => {
    const preflight = await call(server.url, 'OPTIONS', '/set', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const simple = await call(server.url, 'GET', '/system/health', { headers: { origin: ORIGIN } });
    expect(simple.headers.get('access-control-expose-headers')).toContain('ETag');
    const stranger = await call(server.url, 'GET', '/system/health', { headers: { origin: 'http://127.0.0.2:9' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});
