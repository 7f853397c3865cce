/** The install a deploy repository belongs to, linked (the repository id while it loads or if purged). */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id } from '../../ui/format.tsx';

export function RepositoryInstall({ repositoryId }: { repositoryId: string }) {
  const ws = useWorkspaceKey();
  const repo = useQuery({
    queryKey: [ws, 'repository', repositoryId],
    queryFn: () => call(api.GET('/v1/repositories/{id}', { params: { path: { id: repositoryId } } })),
    staleTime: Infinity,
    retry: false,
  });
  const r = repo.data;
  if (r?.purpose === 'deploy') {
    return (
      <Link to={`/installs/${r.install_id}`}>
        <code>{r.install_id}</code>
      </Link>
    );
  }
  return <Id>{repositoryId}</Id>;
}
