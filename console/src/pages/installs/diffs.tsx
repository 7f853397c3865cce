/** The two diffs the API serves: a render's commit against its parent, a change request's fork against its base. */
import { useQuery } from '@tanstack/react-query';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { Sha } from './common.tsx';
import { DiffView } from './diff-view.tsx';

export function RenderDiff({ installId, renderId }: { installId: string; renderId: string }) {
  const ws = useWorkspaceKey();
  const diff = useQuery({
    queryKey: [ws, 'install', installId, 'render-diff', renderId],
    queryFn: () =>
      call(
        api.GET('/v1/installs/{id}/renders/{render_id}/diff', {
          params: { path: { id: installId, render_id: renderId } },
        }),
      ),
    staleTime: Infinity,
  });
  if (diff.isPending) return <Loading what="diff" />;
  if (diff.isError) return <ErrorBox error={diff.error} />;
  const d = diff.data;
  return (
    <div className="stack">
      <p className="muted small">
        {d.from_sha ? (
          <>
            <Sha sha={d.from_sha} /> → <Sha sha={d.to_sha} />
          </>
        ) : (
          <>
            the repository's first commit <Sha sha={d.to_sha} />
          </>
        )}
      </p>
      <DiffView diff={d} label={`Diff of render ${renderId}`} />
    </div>
  );
}

export function ChangeRequestDiff({ id, etag }: { id: string; etag: string }) {
  const ws = useWorkspaceKey();
  // The etag moves with each push to the fork, so the diff is read again then.
  const diff = useQuery({
    queryKey: [ws, 'change-request', id, 'diff', etag],
    queryFn: () => call(api.GET('/v1/repository_change_requests/{id}/diff', { params: { path: { id } } })),
    placeholderData: (previous) => previous,
  });
  if (diff.isPending) return <Loading what="diff" />;
  if (diff.isError) return <ErrorBox error={diff.error} />;
  const d = diff.data;
  return (
    <div className="stack">
      <p className="muted small">
        base <Sha sha={d.from_sha} /> → fork <Sha sha={d.to_sha} />
      </p>
      <DiffView diff={d} label="Diff of the change request" />
    </div>
  );
}
