-- Helm packages (docs/packages.md): a version pulled from an OCI registry records where it came from
-- (repo_url, chart, target_revision, the manifest digest) and the values it renders with before an
-- install's own: the chart's values.yaml with the source's values merged over it. Both are null for
-- versions of Atoll's JS packages. The chart archive itself is a package artifact, by its digest.
ALTER TABLE package_versions ADD COLUMN source jsonb;
ALTER TABLE package_versions ADD COLUMN base_values jsonb;
