/**
 * An install's logs, as far as Atoll has them: it asks the API, which answers 404 `no_cluster_connection`
 * (Atoll commits manifests and never reaches the cluster), and shows the server's own explanation.
 */
import { useQuery } from '@tanstack/react-query';
import { AtollApiError } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox, Loading } from '../../ui/states.tsx';

export function InstallLogs({ installId }: { installId: string }) {
  const ws = useWorkspaceKey();
  const logs = useQuery({
    queryKey: [ws, 'install', installId, 'logs'],
    queryFn: () => call(api.GET('/v1/installs/{id}/logs', { params: { path: { id: installId } } })),
    retry: false,
    staleTime: Infinity,
  });
  if (logs.isPending) return <Loading what="logs" />;
  if (logs.isError) {
    const e = logs.error;
    if (e instanceof AtollApiError && e.status === 404) {
      return (
        <p className="muted">
          {e.message}. Read pods and logs in the cluster: <code>kubectl logs</code>, Argo CD or Flux.
        </p>
      );
    }
    return <ErrorBox error={e} />;
  }
  return <pre className="log">{JSON.stringify(logs.data as unknown, null, 2)}</pre>;
}
