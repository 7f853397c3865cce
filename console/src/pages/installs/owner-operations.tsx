/** The operations of one owner (an install, a change request), newest first, paged. */
import { Link } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { State } from './common.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';

type OwnerType = Schema<'Operation'>['owner_type'];

export function OwnerOperations({ ownerType, ownerId }: { ownerType: OwnerType; ownerId: string }) {
  const ws = useWorkspaceKey();
  const paged = usePaged([ws, 'operations', ownerType, ownerId], (cursor) =>
    call(
      api.GET('/v1/operations', {
        params: {
          query: { owner_type: ownerType, owner_id: ownerId, limit: 10, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  return (
    <PagedList paged={paged} empty={<Empty title="No operations" />}>
      {(rows) => <OperationsTable rows={rows} showOwner={false} />}
    </PagedList>
  );
}

export function OperationsTable({ rows, showOwner }: { rows: Schema<'Operation'>[]; showOwner: boolean }) {
  return (
    <table className="table installs-table">
      <thead>
        <tr>
          <th>Operation</th>
          <th>Kind</th>
          <th>State</th>
          {showOwner ? <th>Owner</th> : null}
          <th>Started</th>
          <th>Took</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((op) => (
          <tr key={op.id}>
            <td>
              <Link to={`/operations/${op.id}`}>
                <code>{op.id}</code>
              </Link>
            </td>
            <td>
              <code>{op.metadata.type}</code>
            </td>
            <td>
              <State state={op.state} />
            </td>
            {showOwner ? (
              <td>
                <OwnerLink type={op.owner_type} id={op.owner_id} />
              </td>
            ) : null}
            <td>
              <Time value={op.started_at} />
            </td>
            <td>{took(op.started_at, op.completed_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How long a settled operation ran (its times are whole seconds); "running" until then. */
function took(started: number, completed: number | null): string {
  if (completed === null) return 'running';
  const s = completed - started;
  if (s < 1) return '< 1s';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const OWNER_PAGES: Partial<Record<OwnerType, string>> = {
  install: '/installs/',
  repository_change_request: '/repository_change_requests/',
  package: '/packages/',
};

export function OwnerLink({ type, id }: { type: OwnerType; id: string }) {
  const base = OWNER_PAGES[type];
  return base ? (
    <Link to={`${base}${id}`}>
      <code>{id}</code>
    </Link>
  ) : (
    <span>
      {type.replaceAll('_', ' ')} <code>{id}</code>
    </span>
  );
}
