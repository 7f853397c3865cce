/** A package version's source files (render.js, schema, manifests; a Helm chart's metadata and values), one shown at a time. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox, Loading } from '../../ui/states.tsx';

/** The file shown first: the program, or the chart's values. */
const FIRST = ['render.js', 'values.yaml'];

export function VersionFiles({ packageId, versionId }: { packageId: string; versionId: string }) {
  const ws = useWorkspaceKey();
  const files = useQuery({
    queryKey: [ws, 'package', packageId, 'version', versionId, 'files'],
    queryFn: () =>
      call(
        api.GET('/v1/packages/{id}/versions/{version_id}/files', {
          params: { path: { id: packageId, version_id: versionId } },
        }),
      ),
    staleTime: Infinity,
  });
  const [chosen, setChosen] = useState<string | null>(null);
  if (files.isPending) return <Loading what="files" />;
  if (files.isError) return <ErrorBox error={files.error} />;
  // The input schema is shown on its own, above.
  const list = files.data.files.filter((f) => f.path !== 'inputs.schema.json');
  const shown = list.find((f) => f.path === chosen) ?? list.find((f) => FIRST.includes(f.path)) ?? list[0];
  if (!shown) return <p className="muted">No files.</p>;
  return (
    <div className="files">
      <div className="row tight" role="group" aria-label="Files">
        {list.map((f) => (
          <button
            key={f.path}
            type="button"
            className="file-tab"
            aria-pressed={f.path === shown.path}
            onClick={() => setChosen(f.path)}
          >
            {f.path}
          </button>
        ))}
      </div>
      <pre className="json source" aria-label={shown.path}>
        {shown.content}
      </pre>
    </div>
  );
}
