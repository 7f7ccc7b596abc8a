import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/messages.js';
import { errorText } from '../lib/format.js';
import { logIn, type Session } from '../lib/session.js';

/** The login form: the root user (or any user the server knows) trades a password for a token. */
export function LoginPage({ onLogin, notice }: { onLogin: (session: Session) => void; notice: string | undefined }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await logIn(user, password));
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <h1>KilnDB Studio</h1>
      <p class="hint">Log in with the credentials <code>pnpm start</code> printed.</p>
      {notice === undefined ? null : <p class="notice">{notice}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label for="login-user">Username</label>
        <input id="login-user" name="username" autocomplete="username" required value={user} onInput={(e) => { setUser(e.currentTarget.value); }} />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => { setPassword(e.currentTarget.value); }}
        />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <ErrorMessage text={error} />
      </form>
    </main>
  );
}
