/**
 * Requests through a service's authenticated proxy. The proxy takes the API credential in the
 * Authorization header, which a browser link cannot send; and opening the service's own pages on the
 * console's origin would hand its scripts the console's session. So the console sends the request
 * itself (with the client's auth headers) and shows the answer as text, and gives the curl line for
 * anything else (docs/agent-services.md, "From the console").
 */
import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Section } from '../../ui/page.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import type { Service } from './family.tsx';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const SHOWN_BYTES = 64 * 1024;

type Answer = { status: number; statusText: string; type: string; body: string; cut: boolean; ms: number };

export function ProxyPanel({ service }: { service: Service }) {
  const [method, setMethod] = useState<(typeof METHODS)[number]>('GET');
  const [path, setPath] = useState('/');
  const [body, setBody] = useState('');
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [sending, setSending] = useState(false);
  const serving = service.status === 'ready' || service.status === 'unhealthy';
  const withBody = method !== 'GET' && method !== 'HEAD';
  const relative = path.startsWith('/') ? path : `/${path}`;
  const proxy = `/v1/agent-deployments/${encodeURIComponent(service.deployment_id)}/services/${encodeURIComponent(service.id)}/proxy`;

  async function send(e: FormEvent) {
    e.preventDefault();
    setSending(true);
    setError(undefined);
    const started = performance.now();
    try {
      const headers: Record<string, string> = { ...api.authHeaders() };
      if (withBody && body) headers['content-type'] = 'application/json';
      const response = await api.fetch(`${api.baseUrl}${proxy}${relative}`, {
        method,
        headers,
        ...(withBody && body ? { body } : {}),
      });
      const text = method === 'HEAD' ? '' : await response.text();
      setAnswer({
        status: response.status,
        statusText: response.statusText,
        type: response.headers.get('content-type') ?? '',
        body: text.slice(0, SHOWN_BYTES),
        cut: text.length > SHOWN_BYTES,
        ms: Math.round(performance.now() - started),
      });
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  }

  const curl = [
    `curl -s -X ${method} '${service.proxy_url.replace(/\/$/, '')}${relative}' \\`,
    `  -H "Authorization: Bearer $TOKEN"${withBody && body ? ` -H 'Content-Type: application/json' -d '${body.replaceAll("'", "'\\''")}'` : ''}`,
  ].join('\n');

  return (
    <Section title="Proxy">
      <p className="muted">
        The service answers at <code>{service.proxy_url}</code>, with your API token in the Authorization
        header. A browser link cannot send that header, and the service’s own pages must not run on the
        console’s origin (their scripts could read your session), so send requests from here — the answer is
        shown as text — or with curl.
      </p>
      <form className="proxy-form" onSubmit={send}>
        <label>
          Method
          <select value={method} onChange={(e) => setMethod(e.target.value as (typeof METHODS)[number])}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          Path
          <input value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
        </label>
        <button className="primary" type="submit" disabled={sending || !serving}>
          {sending ? 'Sending…' : 'Send'}
        </button>
        {withBody ? (
          <label className="full">
            Body (JSON)
            <textarea rows={4} value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} />
          </label>
        ) : null}
      </form>
      {!serving ? (
        <p className="muted">
          The proxy serves only a ready (or unhealthy) instance; this one is {service.status}.
        </p>
      ) : null}
      {error !== undefined ? <ErrorBox error={error} title="The request failed" /> : null}
      {answer ? (
        <div className="stack" aria-label="Proxy answer" role="region">
          <div className="row">
            <strong>
              HTTP {answer.status} {answer.statusText}
            </strong>
            <span className="muted">
              {answer.type || 'no content type'} · {answer.ms} ms
            </span>
          </div>
          <pre className="json proxy-body">{answer.body || '(empty body)'}</pre>
          {answer.cut ? <p className="muted small">Only the first 64 KiB are shown.</p> : null}
        </div>
      ) : null}
      <pre className="command wrap">
        <code>{curl}</code>
      </pre>
    </Section>
  );
}
