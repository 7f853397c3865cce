/**
 * Pieces the installs area's pages share: the copy button, idempotency keys for the actions that require
 * them, and small cached look-ups (a package's name, a version's semver) that turn ids into words.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, StateBadge } from '../../ui/format.tsx';
import './installs.css';

/** A button that copies `text` and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <button
      type="button"
      className="copy"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied('yes');
        } catch {
          setCopied('no');
        }
        setTimeout(() => setCopied(null), 1500);
      }}
    >
      <span aria-live="polite">{copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed' : label}</span>
    </button>
  );
}

/** A shell command in a box, with its copy button. */
export function CommandLine({ command, label }: { command: string; label: string }) {
  return (
    <div className="command-line">
      <pre className="command" aria-label={label}>
        <code>{command}</code>
      </pre>
      <CopyButton text={command} />
    </div>
  );
}

export function usePackage(id: string | null | undefined) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'package', id],
    queryFn: () => call(api.GET('/v1/packages/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
    staleTime: 60_000,
  });
}

export function useVersion(packageId: string | null | undefined, versionId: string | null | undefined) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'package', packageId, 'version', versionId],
    queryFn: () =>
      call(
        api.GET('/v1/packages/{id}/versions/{version_id}', {
          params: { path: { id: packageId!, version_id: versionId! } },
        }),
      ),
    enabled: !!packageId && !!versionId,
    staleTime: Infinity,
  });
}

/** A package by name, linked (its id while the name loads or if it cannot). */
export function PackageLink({ id }: { id: string }) {
  const pkg = usePackage(id);
  return <Link to={`/packages/${id}`}>{pkg.data?.name ?? <Id>{id}</Id>}</Link>;
}

/** A version's semver (its id while it loads or if it cannot). */
export function VersionLabel({ packageId, versionId }: { packageId: string; versionId: string | null }) {
  const version = useVersion(packageId, versionId);
  if (!versionId) return <span className="muted">—</span>;
  return version.data ? <span className="semver">{version.data.semver}</span> : <Id>{versionId}</Id>;
}

/** A commit sha, short, full on hover. */
export function Sha({ sha }: { sha: string | null | undefined }) {
  if (!sha) return <span className="muted">—</span>;
  return (
    <code className="sha" title={sha}>
      {sha.slice(0, 10)}
    </code>
  );
}

/** States of this area that the shared badge does not color. */
const TONES: Record<string, string> = {
  deployed: 'ok',
  healthy: 'ok',
  accepted: 'ok',
  skipped: 'muted',
  degraded: 'bad',
  expired: 'muted',
  validating: 'info',
  rendering: 'info',
  accepting: 'info',
  awaiting_changes: 'wait',
  ready: 'wait',
};

/** A state badge, colored for installs, renders and change requests too. */
export function State({ state }: { state: string | null | undefined }) {
  const tone = state ? TONES[state.toLowerCase()] : undefined;
  if (!state || !tone) return <StateBadge state={state} />;
  return <span className={`badge ${tone}`}>{state.toLowerCase().replaceAll('_', ' ')}</span>;
}
