/**
 * Creating an API token: a name and an optional expiry; the created token's value is shown once, with a
 * copy button, until dismissed.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import type { components } from '@atoll/client';

type Created = components['schemas']['CreatedApiToken'];

const EXPIRIES: Array<{ label: string; days: number | null }> = [
  { label: 'Never', days: null },
  { label: 'In 7 days', days: 7 },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
  { label: 'In a year', days: 365 },
];

export function CreateToken() {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<Created>();
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/api_tokens', {
          body: {
            name,
            expires_at: days === '' ? null : Math.floor(Date.now() / 1000) + Number(days) * 86400,
          },
        }),
      ),
    onSuccess: async (token) => {
      setCreated(token);
      setName('');
      await queryClient.invalidateQueries({ queryKey: [ws, 'api-tokens'] });
    },
  });
  if (created) return <CreatedToken token={created} onDone={() => setCreated(undefined)} />;
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <label htmlFor={`${id}-name`}>Token name</label>
      <input
        id={`${id}-name`}
        value={name}
        required
        maxLength={100}
        placeholder="e.g. CI deploys"
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-expires`}>Expires</label>
      <select id={`${id}-expires`} value={days} onChange={(e) => setDays(e.target.value)}>
        {EXPIRIES.map((x) => (
          <option key={x.label} value={x.days ?? ''}>
            {x.label}
          </option>
        ))}
      </select>
      <button className="primary" type="submit" disabled={create.isPending || name.trim() === ''}>
        {create.isPending ? 'Creating…' : 'Create token'}
      </button>
      {create.isError ? <ErrorBox error={create.error} title="Not created" /> : null}
    </form>
  );
}

function CreatedToken({ token, onDone }: { token: Created; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const id = useId();
  return (
    <div className="token-secret stack" role="region" aria-label="New API token">
      <strong>Token “{token.name}” created. Copy it now: you will not see it again.</strong>
      <div className="row">
        <label htmlFor={id} className="visually-hidden">
          Token value
        </label>
        <input id={id} className="secret" readOnly value={token.token} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(token.token);
              setCopied('yes');
            } catch {
              setCopied('no');
            }
          }}
        >
          Copy
        </button>
        <span role="status" className="muted">
          {copied === 'yes'
            ? 'Copied.'
            : copied === 'no'
              ? 'The browser refused the clipboard: select the value and copy it.'
              : ''}
        </span>
      </div>
      <p className="muted">
        Use it as <code>Authorization: Bearer …</code>. Atoll keeps only a hash of it; if it is lost, revoke
        it and create another.
      </p>
      <div>
        <button className="primary" type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
