/**
 * /settings/tokens: the workspace's API tokens (paged), creating one (its secret shown once, with a copy
 * button) and revoking one (it stops authenticating at once; the console warns when it is its own).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { currentSession } from '../../session.tsx';
import { Id, Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox } from '../../ui/states.tsx';
import { CreateToken } from './create-token.tsx';
import { SettingsPage } from './settings-page.tsx';
import type { components } from '@atoll/client';

type ApiToken = components['schemas']['ApiToken'];

export function TokensPage() {
  const ws = useWorkspaceKey();
  const paged = usePaged<ApiToken>([ws, 'api-tokens'], (cursor) =>
    call(api.GET('/v1/api_tokens', { params: { query: { cursor, limit: 25 } } })),
  );
  return (
    <SettingsPage>
      <Section title="Create an API token">
        <CreateToken />
      </Section>
      <Section title="API tokens">
        <p className="muted section-lead">
          Workspace API tokens act in this workspace only. Values are never shown after creation; the prefix
          tells them apart.
        </p>
        <PagedList
          paged={paged}
          empty={
            <Empty
              title="No API tokens"
              command={`curl -s -X POST ${location.origin}/v1/api_tokens \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"name":"my laptop"}'`}
            >
              Create one above, or from a terminal:
            </Empty>
          }
        >
          {(rows) => (
            <table className="table" aria-label="API tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Prefix</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>Expires</th>
                  <th>ID</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <TokenRow key={t.id} token={t} />
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </Section>
    </SettingsPage>
  );
}

function TokenRow({ token }: { token: ApiToken }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const own = currentSession().active?.token.startsWith(token.prefix) ?? false;
  const revoke = useMutation({
    mutationFn: () => call(api.DELETE('/v1/api_tokens/{id}', { params: { path: { id: token.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [ws, 'api-tokens'] }),
  });
  return (
    <tr>
      <td>
        {token.name} {own ? <span className="badge info">this session</span> : null}
      </td>
      <td>
        <code>{token.prefix}…</code>
      </td>
      <td>
        <Time value={token.created_at} />
      </td>
      <td>
        {token.last_used_at === null ? (
          <span className="muted">never</span>
        ) : (
          <Time value={token.last_used_at} />
        )}
      </td>
      <td>
        {token.expires_at === null ? <span className="muted">never</span> : <Time value={token.expires_at} />}
      </td>
      <td>
        <Id>{token.id}</Id>
      </td>
      <td className="token-actions">
        {revoke.isError ? <ErrorBox error={revoke.error} title="Not revoked" /> : null}
        {confirm ? (
          <div className="row">
            <span>{own ? 'This signs the console out. Revoke?' : `Revoke ${token.name}?`}</span>
            <button className="danger" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
              Yes, revoke
            </button>
            <button onClick={() => setConfirm(false)}>Cancel</button>
          </div>
        ) : (
          <button className="danger" onClick={() => setConfirm(true)} aria-label={`Revoke ${token.name}`}>
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}
