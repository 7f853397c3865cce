/** Breadcrumbs below a deployment, naming it once it is known (its id until then). */
import { useQuery } from '@tanstack/react-query';
import { api, call, useWorkspaceKey } from '../../api.ts';
import type { Crumb } from '../../ui/page.tsx';

export function useDeploymentCrumbs(deploymentId: string, here: string): Crumb[] {
  const ws = useWorkspaceKey();
  const query = useQuery({
    queryKey: [ws, 'agent-deployment', deploymentId],
    queryFn: () =>
      call(
        api.GET('/v1/agent-deployments/{deployment_id}', {
          params: { path: { deployment_id: deploymentId } },
        }),
      ),
  });
  return [
    { label: 'Deployments', to: '/deployments' },
    { label: query.data?.name ?? deploymentId, to: `/deployments/${deploymentId}` },
    { label: here },
  ];
}
