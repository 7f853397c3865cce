/**
 * /repository_change_requests/:id: a proposed change to an install's repository: its state, what it
 * changes (the fork's diff against its base), how to push to it, and Accept / Reject / Withdraw. Accepting
 * renders and merges; the page follows the request and its accept operation until they settle.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { Id, StateBadge, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { CommandLine, Sha, State } from './common.tsx';
import { ChangeRequestDiff } from './diffs.tsx';
import { RepositoryInstall } from './repository-install.tsx';

type ChangeRequest = Schema<'RepositoryChangeRequest'>;

const PUSHABLE = new Set(['AWAITING_CHANGES', 'READY', 'FAILED']);
const SETTLING = new Set(['VALIDATING', 'ACCEPTING']);

export function ChangeRequestPage() {
  const { id = '' } = useParams();
  const ws = useWorkspaceKey();
  const rcr = useQuery({
    queryKey: [ws, 'change-request', id],
    queryFn: () => call(api.GET('/v1/repository_change_requests/{id}', { params: { path: { id } } })),
    // Pushes move it from AWAITING_CHANGES to READY; an accept from VALIDATING to ACCEPTED or FAILED.
    refetchInterval: (q) =>
      SETTLING.has(q.state.data?.state ?? '') ? 1000 : PUSHABLE.has(q.state.data?.state ?? '') ? 5000 : false,
  });
  if (!rcr.data) return rcr.isError ? <ErrorBox error={rcr.error} /> : <Loading what="change request" />;
  const r = rcr.data;
  return (
    <Page
      title={<code className="title-id">{r.id}</code>}
      crumbs={[{ label: 'Change requests', to: '/repository_change_requests' }, { label: r.id }]}
    >
      {rcr.isError ? <ErrorBox title="Refreshing failed, retrying" error={rcr.error} /> : null}
      <Section title="Change request">
        <dl className="props">
          <dt>State</dt>
          <dd>
            <State state={r.state} />
          </dd>
          <dt>Change</dt>
          <dd>{r.change_type.replaceAll('_', ' ')}</dd>
          <dt>Install</dt>
          <dd>
            <RepositoryInstall repositoryId={r.parent_repository_id} />
          </dd>
          <dt>Opened by</dt>
          <dd>
            {r.created_by_type} <Id>{r.created_by_id}</Id>
          </dd>
          <dt>Base commit</dt>
          <dd>
            <Sha sha={r.base_sha} />
          </dd>
          {r.render_id ? (
            <>
              <dt>Render</dt>
              <dd>
                <Id>{r.render_id}</Id>
              </dd>
            </>
          ) : null}
          <dt>Opened</dt>
          <dd>
            <Time value={r.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time value={r.updated_at} />
          </dd>
          <dt>Expires</dt>
          <dd>
            <Time value={r.expires_at} />
          </dd>
          {r.rejection_reason ? (
            <>
              <dt>Rejected because</dt>
              <dd>{r.rejection_reason}</dd>
            </>
          ) : null}
        </dl>
        {r.failure ? (
          <div className="state error" role="alert">
            <strong>Accept failed ({r.failure.code})</strong>: {r.failure.message}
            {r.failure.path ? <code> at {r.failure.path.join('.')}</code> : null}. Push a fix and accept
            again.
          </div>
        ) : null}
        {r.remediation_evidence ? (
          <div className="stack">
            <h3>Evidence</h3>
            <p>{r.remediation_evidence.summary}</p>
            <p className="muted">Likely fix: {r.remediation_evidence.likely_fix}</p>
          </div>
        ) : null}
      </Section>
      <Review rcr={r} />
      <Section title="Changes">
        <ChangeRequestDiff id={r.id} etag={r.etag} />
      </Section>
      {PUSHABLE.has(r.state) ? <Push rcr={r} /> : null}
    </Page>
  );
}

function Review({ rcr }: { rcr: ChangeRequest }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: [ws, 'change-request', rcr.id] });
  const headers = () => ({ 'if-match': rcr.etag, 'idempotency-key': newIdempotencyKey() });
  const [reason, setReason] = useState('');
  const accept = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/repository_change_requests/{id}:accept', {
          params: { path: { id: rcr.id }, header: headers() },
        }),
      ),
    onSettled: refresh,
  });
  const reject = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/repository_change_requests/{id}:reject', {
          params: { path: { id: rcr.id }, header: headers() },
          body: { rejection_reason: reason },
        }),
      ),
    onSettled: refresh,
  });
  const withdraw = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/repository_change_requests/{id}:withdraw', {
          params: { path: { id: rcr.id }, header: headers() },
        }),
      ),
    onSettled: refresh,
  });
  const open = PUSHABLE.has(rcr.state);
  const busy = accept.isPending || reject.isPending || withdraw.isPending;
  const error = accept.error ?? reject.error ?? withdraw.error;
  return (
    <Section title="Review">
      {open ? (
        <div className="stack">
          <div className="row">
            <button
              className="primary"
              type="button"
              disabled={busy || rcr.state === 'AWAITING_CHANGES'}
              onClick={() => accept.mutate()}
            >
              Accept
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => withdraw.mutate()}>
              Withdraw
            </button>
          </div>
          {rcr.state === 'AWAITING_CHANGES' ? (
            <p className="muted small">Nothing to accept yet: push a commit to the fork first.</p>
          ) : (
            <p className="muted small">
              Accept renders the fork's inputs.yaml and package.yaml and merges the result into main.
            </p>
          )}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              reject.mutate();
            }}
          >
            <label>
              Rejection reason{' '}
              <input value={reason} onChange={(e) => setReason(e.target.value)} required size={40} />
            </label>
            <button type="submit" disabled={busy || !reason}>
              Reject
            </button>
          </form>
        </div>
      ) : (
        <p>
          This change request is <State state={rcr.state} />
          {SETTLING.has(rcr.state) ? ': rendering and merging…' : '; it takes no more actions.'}
        </p>
      )}
      {error ? <ErrorBox error={error} /> : null}
      {accept.data ? <AcceptResult operationId={accept.data.operation_id} /> : null}
      {reject.data ? (
        <p role="status">
          Rejected <Time value={reject.data.rejected_at} />.
        </p>
      ) : null}
      {withdraw.data ? (
        <p role="status">
          Withdrawn <Time value={withdraw.data.withdrawn_at} />; the fork is deleted.
        </p>
      ) : null}
    </Section>
  );
}

function AcceptResult({ operationId }: { operationId: string }) {
  const ws = useWorkspaceKey();
  const op = useQuery({
    queryKey: [ws, 'operation', operationId],
    queryFn: () => call(api.GET('/v1/operations/{id}', { params: { path: { id: operationId } } })),
    refetchInterval: (q) => (q.state.data?.done ? false : 1000),
  });
  return (
    <p role="status" className="row tight">
      Accepted: the merge runs as operation <Link to={`/operations/${operationId}`}>{operationId}</Link>
      {op.data ? <StateBadge state={op.data.state} /> : null}
      {op.data?.error ? <span className="bad">{op.data.error.message}</span> : null}
    </p>
  );
}

function Push({ rcr }: { rcr: ChangeRequest }) {
  const token = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/repository_change_requests/{id}:createToken', {
          params: { path: { id: rcr.id }, header: { 'idempotency-key': newIdempotencyKey() } },
          body: { scope: 'write' },
        }),
      ),
  });
  const url = token.data
    ? (() => {
        const u = new URL(token.data.fork_remote_url);
        u.username = 'x';
        u.password = token.data.fork_write_token;
        return u.toString();
      })()
    : rcr.fork_remote_url;
  const commands = `git clone ${url} ${rcr.id}\ncd ${rcr.id}\n$EDITOR inputs.yaml\ngit commit -am "Change the values"\ngit push origin HEAD:main`;
  return (
    <Section
      title="Push a change"
      actions={
        <button type="button" onClick={() => token.mutate()} disabled={token.isPending}>
          {token.data ? 'New push token' : 'Create a push token'}
        </button>
      }
    >
      <p className="muted small">
        Edit <code>inputs.yaml</code> (the values) or the <code>version</code> in <code>package.yaml</code> in
        the fork and push to its <code>main</code>. API tokens cannot push: create a push token (valid one
        hour, shown once
        {token.data ? (
          <>
            , this one until <Time value={token.data.expires_at} />
          </>
        ) : null}
        ).
      </p>
      {token.isError ? <ErrorBox error={token.error} /> : null}
      <CommandLine command={commands} label="Push commands" />
    </Section>
  );
}
