/**
 * /packages/:id: a package, its versions (newest first, paged), each with its input schema and its
 * source (the JS artifact or the Helm chart it was published from), and a form to install it.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Json, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { InstallForm } from './install-form.tsx';
import { VersionFiles } from './version-files.tsx';

type Source = Record<string, unknown>;

export function PackagePage() {
  const { id = '' } = useParams();
  const ws = useWorkspaceKey();
  const pkg = useQuery({
    queryKey: [ws, 'package', id, 'full'],
    queryFn: () => call(api.GET('/v1/packages/{id}', { params: { path: { id }, query: { view: 'full' } } })),
  });
  const versions = usePaged([ws, 'package', id, 'versions'], (cursor) =>
    call(
      api.GET('/v1/packages/{id}/versions', {
        params: { path: { id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  if (pkg.isPending) return <Loading what="package" />;
  if (pkg.isError) return <ErrorBox error={pkg.error} />;
  const p = pkg.data;
  const sources = (p.composed_from_sources ?? []) as Source[];
  return (
    <Page title={p.name} crumbs={[{ label: 'Packages', to: '/packages' }, { label: p.name }]}>
      <Section title="Package">
        <dl className="props">
          <dt>ID</dt>
          <dd>
            <Id>{p.id}</Id>
          </dd>
          <dt>Kind</dt>
          <dd>{sources.at(-1)?.kind === 'helm' ? 'Helm chart from an OCI registry' : 'Atoll JS package'}</dd>
          <dt>Latest version</dt>
          <dd>
            <Id>{p.latest_version_id}</Id>
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={p.created_at} />
          </dd>
        </dl>
      </Section>
      <Section title="Versions">
        <PagedList
          paged={versions}
          empty={<Empty title="No versions" command={`npm exec atoll -- package publish <dir>`} />}
        >
          {(rows) => (
            <div className="stack">
              {rows.map((v) => (
                <VersionItem
                  key={v.id}
                  version={v}
                  latest={v.id === p.latest_version_id}
                  source={sources.find((s) => s.semver === v.semver)}
                />
              ))}
            </div>
          )}
        </PagedList>
      </Section>
      <Section title="Install this package">
        <InstallForm packageId={p.id} />
      </Section>
    </Page>
  );
}

function VersionItem({
  version,
  latest,
  source,
}: {
  version: Schema<'PackageVersion'>;
  latest: boolean;
  source: Source | undefined;
}) {
  // The files are fetched the first time the version is opened.
  const [opened, setOpened] = useState(false);
  return (
    <details className="version" onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary>
        <span className="semver">{version.semver}</span>
        {latest ? <span className="badge info">latest</span> : null}
        <span className="muted">
          published <Time value={version.published_at} />
        </span>
        <Id>{version.id}</Id>
      </summary>
      <div className="version-body">
        <SourceView source={source} versionRef={version.ref} />
        <h3>Inputs schema</h3>
        <Json value={version.input_schema} />
        <h3>Files</h3>
        {opened ? <VersionFiles packageId={version.package_id} versionId={version.id} /> : null}
      </div>
    </details>
  );
}

function SourceView({ source, versionRef }: { source: Source | undefined; versionRef: string }) {
  if (source?.kind === 'helm') {
    const chart = [source.repo_url, source.chart].filter(Boolean).join('/');
    return (
      <dl className="props">
        <dt>Helm chart</dt>
        <dd>
          <code>{chart}</code>
        </dd>
        <dt>Target revision</dt>
        <dd>
          <code>{String(source.target_revision)}</code>
        </dd>
        <dt>Manifest digest</dt>
        <dd>
          <Id>{String(source.manifest_digest ?? '—')}</Id>
        </dd>
        <dt>Chart digest</dt>
        <dd>
          <Id>{String(source.chart_digest ?? versionRef)}</Id>
        </dd>
      </dl>
    );
  }
  return (
    <dl className="props">
      <dt>Source</dt>
      <dd>JS render program</dd>
      <dt>Artifact</dt>
      <dd>
        <Id>{versionRef}</Id>
      </dd>
    </dl>
  );
}
