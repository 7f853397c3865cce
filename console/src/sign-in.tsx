/**
 * Sign in with an API token (sk_…) or an OAuth2 JWT: the credential is checked by listing the workspaces
 * it may act in, then kept in this tab's sessionStorage only.
 */
import { createAtollClient, errorMessage } from '@atoll/client';
import { useState, type FormEvent } from 'react';
import { useNavigate, useLocation } from 'react-router';
import { useSession, type Credential } from './session.tsx';

export async function checkCredential(token: string): Promise<Credential> {
  const client = createAtollClient({ baseUrl: location.origin, token });
  const { data, error, response } = await client.GET('/v1/workspaces', { params: { query: { limit: 100 } } });
  if (!data) throw new Error(errorMessage(error, response.status));
  const workspaces = data.data.map((w) => ({ id: w.id, name: w.name }));
  if (workspaces.length === 0) throw new Error('this credential may act in no workspace');
  return { token, kind: token.startsWith('sk_') ? 'token' : 'jwt', workspaces };
}

export function SignIn() {
  const { signIn, session } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const adding = session.credentials.length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      signIn(await checkCredential(token.trim()));
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== '/sign-in' ? from : '/', { replace: true });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{adding ? 'Add a workspace' : 'Sign in to Atoll'}</h1>
        <p>
          Paste an API token (<code>sk_…</code>) or an OAuth2 JWT. It stays in this browser tab only and is
          gone when you close it.
        </p>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="sk_…"
          required
        />
        {error ? (
          <div className="state error" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <details>
          <summary>Where is my token?</summary>
          <p>The first start created workspace "default" and wrote its token to a file:</p>
          <pre className="command">
            <code>cat data/bootstrap-token</code>
          </pre>
          <p>Another one, from the command line:</p>
          <pre className="command">
            <code>npm exec atoll -- token create --workspace default --name console</code>
          </pre>
        </details>
      </form>
    </main>
  );
}
