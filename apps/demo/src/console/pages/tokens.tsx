import type { DelegateResponse } from '@kilndb/server/client';
import { useState } from 'preact/hooks';
import { ErrorMessage, Notice } from '../components/messages.js';
import { failureText, useStudio } from '../context.js';

/** Delegated tokens: make one for a client with chosen scopes, revoke any by its id. */
export function Tokens() {
  const studio = useStudio();
  const [clientId, setClientId] = useState('');
  const [scopes, setScopes] = useState('read:laptops:*');
  const [ttl, setTtl] = useState('3600');
  const [issued, setIssued] = useState<DelegateResponse[]>([]);
  const [jti, setJti] = useState('');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState('');

  const delegate = async (): Promise<void> => {
    setError(undefined);
    setNotice('');
    const ttlSecs = Number(ttl);
    if (!Number.isInteger(ttlSecs) || ttlSecs <= 0) {
      setError(`Lifetime: a whole number of seconds above 0, got "${ttl}"`);
      return;
    }
    try {
      const token = await studio.client.delegate({ client_id: clientId.trim(), scopes: scopes.split(/[\s,]+/).filter((s) => s !== ''), ttl_secs: ttlSecs });
      setIssued((list) => [token, ...list]);
      setNotice(`Token ${token.jti} issued to ${token.client_id}.`);
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };

  const revoke = async (id: string): Promise<void> => {
    setError(undefined);
    setNotice('');
    try {
      const reply = await studio.client.revoke(id);
      setIssued((list) => list.filter((token) => token.jti !== id));
      setNotice(reply.message === '' ? `Token ${id} revoked.` : reply.message);
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };

  return (
    <section aria-labelledby="tokens-heading" class="panel">
      <h2 id="tokens-heading">Tokens</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void delegate();
        }}
      >
        <div class="row">
          <span class="field">
            <label for="tok-client">Client id</label>
            <input id="tok-client" required value={clientId} onInput={(e) => { setClientId(e.currentTarget.value); }} />
          </span>
          <span class="field">
            <label for="tok-scopes">Scopes (action:collection:key, space-separated)</label>
            <input id="tok-scopes" required value={scopes} onInput={(e) => { setScopes(e.currentTarget.value); }} />
          </span>
          <span class="field">
            <label for="tok-ttl">Lifetime (seconds)</label>
            <input id="tok-ttl" inputMode="numeric" required value={ttl} onInput={(e) => { setTtl(e.currentTarget.value); }} />
          </span>
        </div>
        <button type="submit">Delegate token</button>
      </form>
      {issued.length === 0 ? null : (
        <ul class="tokens">
          {issued.map((token) => (
            <li key={token.jti}>
              <p>
                <strong>{token.client_id}</strong> ({token.scopes.join(' ')}), id <code>{token.jti}</code>{' '}
                <button type="button" class="danger" onClick={() => void revoke(token.jti)}>
                  Revoke {token.client_id}
                </button>
              </p>
              <label for={`tok-${token.jti}`}>Token for {token.client_id}</label>
              <textarea id={`tok-${token.jti}`} readOnly rows={3} value={token.token} />
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void revoke(jti.trim());
        }}
      >
        <label for="tok-jti">Token id (jti) to revoke</label>
        <input id="tok-jti" required value={jti} onInput={(e) => { setJti(e.currentTarget.value); }} />
        <button type="submit" class="danger">
          Revoke
        </button>
      </form>
      {notice === '' ? null : <Notice>{notice}</Notice>}
      <ErrorMessage text={error} />
    </section>
  );
}
