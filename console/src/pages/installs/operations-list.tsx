/** /operations: every asynchronous action's record, newest first, paged, narrowed by owner if asked. */
import { useSearchParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { OperationsTable } from './owner-operations.tsx';

const OWNER_TYPES = ['install', 'repository_change_request', 'package', 'repository', 'workspace'] as const;
type OwnerType = (typeof OWNER_TYPES)[number];

export function OperationsPage() {
  const ws = useWorkspaceKey();
  const [params, setParams] = useSearchParams();
  const ownerType = params.get('owner_type') as OwnerType | null;
  const ownerId = params.get('owner_id');
  const owner = ownerType && ownerId ? { owner_type: ownerType, owner_id: ownerId } : {};
  const paged = usePaged([ws, 'operations', 'all', ownerType, ownerId], (cursor) =>
    call(
      api.GET('/v1/operations', {
        params: { query: { limit: 50, ...owner, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  return (
    <Page title="Operations">
      <form
        className="row filters"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const type = String(data.get('owner_type') ?? '');
          const id = String(data.get('owner_id') ?? '').trim();
          setParams(type && id ? { owner_type: type, owner_id: id } : {});
        }}
      >
        <label>
          Owner type{' '}
          <select name="owner_type" defaultValue={ownerType ?? ''}>
            <option value="">any</option>
            {OWNER_TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner ID <input name="owner_id" defaultValue={ownerId ?? ''} placeholder="inst_…" size={28} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <PagedList
        paged={paged}
        empty={
          <Empty
            title={ownerId ? 'No operations for this owner' : 'No operations yet'}
            command="npm exec atoll -- package publish examples/packages/hello-web"
          >
            Creating a package or an install, rendering, accepting a change request and deleting each leave an
            operation here that you can follow to its end. Publishing a package is the first:
          </Empty>
        }
      >
        {(rows) => <OperationsTable rows={rows} showOwner />}
      </PagedList>
    </Page>
  );
}
