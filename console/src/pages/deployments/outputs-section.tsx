/** A run's collected output files, each downloadable, plus the declared paths that were missing. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { bytes, Id } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { downloadOutput } from './download.ts';
import { runEnded, type Run } from './family.tsx';

export function OutputsSection({ run, declared }: { run: Run; declared: string[] | undefined }) {
  const ws = useWorkspaceKey();
  const ended = runEnded(run);
  const query = useQuery({
    queryKey: [ws, 'agent-run-outputs', run.deployment_id, run.id],
    enabled: ended,
    queryFn: () =>
      call(
        api.GET('/v1/agent-deployments/{deployment_id}/runs/{run_id}/outputs', {
          params: { path: { deployment_id: run.deployment_id, run_id: run.id } },
        }),
      ),
  });
  return (
    <Section title="Outputs">
      {!ended ? (
        <p className="muted">
          Collected when the run ends
          {declared && declared.length > 0 ? (
            <>
              {' '}
              from{' '}
              {declared.map((p) => (
                <code key={p} className="tag">
                  {p}
                </code>
              ))}
            </>
          ) : null}
          .
        </p>
      ) : query.isPending ? (
        <Loading what="outputs" />
      ) : query.isError ? (
        <ErrorBox error={query.error} />
      ) : (
        <OutputList run={run} data={query.data} declared={declared} />
      )}
    </Section>
  );
}

type Outputs = {
  outputs: Array<{ path: string; size: number; digest: string }>;
  output_manifest: Record<string, unknown>;
};

function OutputList({ run, data, declared }: { run: Run; data: Outputs; declared: string[] | undefined }) {
  const [failed, setFailed] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const missing = Array.isArray(data.output_manifest.missing)
    ? (data.output_manifest.missing as string[])
    : [];
  const truncated = data.output_manifest.truncated === true;
  if (data.outputs.length === 0) {
    return (
      <p className="muted">
        {run.status === 'cancelled' || run.status === 'timed_out'
          ? `No outputs: a run that was ${run.status.replace('_', ' ')} collects nothing.`
          : declared && declared.length > 0
            ? `No outputs: none of the declared paths (${declared.join(', ')}) existed when the run ended.`
            : 'No outputs: this version declares no [outputs] paths in its atoll.agent.toml.'}
      </p>
    );
  }
  return (
    <>
      {failed !== undefined ? <ErrorBox error={failed} title="Download failed" /> : null}
      <table className="table">
        <thead>
          <tr>
            <th>Path</th>
            <th className="num">Size</th>
            <th>Digest</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {data.outputs.map((o) => (
            <tr key={o.path}>
              <td>
                <code>{o.path}</code>
              </td>
              <td className="num">{bytes(o.size)}</td>
              <td>
                <Id>{o.digest.slice(0, 19)}…</Id>
              </td>
              <td className="right">
                <button
                  aria-label={`Download ${o.path}`}
                  disabled={busy === o.path}
                  onClick={async () => {
                    setBusy(o.path);
                    setFailed(undefined);
                    try {
                      await downloadOutput(run.deployment_id, run.id, o.path);
                    } catch (error) {
                      setFailed(error);
                    } finally {
                      setBusy(undefined);
                    }
                  }}
                >
                  {busy === o.path ? 'Downloading…' : 'Download'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {missing.length > 0 ? (
        <p className="muted">
          Declared but missing:{' '}
          {missing.map((p) => (
            <code key={p} className="tag">
              {p}
            </code>
          ))}
        </p>
      ) : null}
      {truncated ? (
        <p className="muted">
          Collection stopped at the server’s per-run output limit (ATOLL_RUN_OUTPUT_BYTES).
        </p>
      ) : null}
    </>
  );
}
