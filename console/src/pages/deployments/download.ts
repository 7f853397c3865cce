/**
 * Saving a run's output file: the API wants the credential in a header, which a plain link cannot
 * send, so the bytes are fetched with the client (its auth headers), held as a Blob and saved through
 * an object URL on a temporary <a download>.
 */
import { api, call } from '../../api.ts';

export async function downloadOutput(deploymentId: string, runId: string, path: string): Promise<void> {
  const blob = await call(
    api.GET('/v1/agent-deployments/{deployment_id}/runs/{run_id}/outputs/download', {
      params: { path: { deployment_id: deploymentId, run_id: runId }, query: { path } },
      parseAs: 'blob',
    }),
  );
  const url = URL.createObjectURL(blob as unknown as Blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = path.split('/').pop() || 'output';
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the URL to the download; release it once that has started.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
