-- Packages (pkg_…) and their versions (pkv_…) with content-addressed artifacts; installs (inst_…),
-- their renders (rnd_…) and git repositories (repo_…); repository change requests (rcr_…) and their
-- short-lived push tokens.

-- The job carrying out a running operation, so that :cancel can reach it.
ALTER TABLE operations ADD COLUMN job_id text;

-- A package artifact: a tar.gz addressed by the SHA-256 of its bytes, kept in the database so that
-- every process of a deployment can read it.
CREATE TABLE package_artifacts (
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  digest        text NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  size          integer NOT NULL,
  content       bytea NOT NULL,
  -- What the artifact holds: {name, version, description, input_schema, program, manifests: [{path, content}]}.
  contents      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, digest)
);

CREATE TABLE repositories (
  seq                            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                             text PRIMARY KEY,
  workspace_id                   text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name                           text NOT NULL,
  purpose                        text NOT NULL CHECK (purpose IN ('deploy', 'package', 'repository_change_request')),
  -- The bare git repository holding it (src/git), and for a change request the branch in its parent's.
  storage                        text NOT NULL,
  branch                         text NOT NULL DEFAULT 'main',
  install_id                     text,
  cluster_id                     text,
  package_id                     text,
  repository_change_request_id   text,
  last_deploy_sha                text,
  last_render_hash               text,
  version                        integer NOT NULL DEFAULT 1,
  created_at                     timestamptz NOT NULL DEFAULT now(),
  updated_at                     timestamptz NOT NULL DEFAULT now(),
  -- Set when its install was deleted (or its change request withdrawn) and the git repository purged.
  deleted_at                     timestamptz
);
CREATE INDEX repositories_workspace ON repositories (workspace_id, seq DESC);
CREATE UNIQUE INDEX repositories_storage ON repositories (storage);

CREATE TABLE packages (
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                 text PRIMARY KEY,
  workspace_id       text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name               text NOT NULL,
  display_image_url  text,
  -- The latest version's description (from its atoll.package.json).
  description        text,
  repository_id      text NOT NULL REFERENCES repositories (id),
  latest_version_id  text,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  deleted_at         timestamptz
);
CREATE INDEX packages_workspace ON packages (workspace_id, seq DESC);
-- A deleted package's name may be used again.
CREATE UNIQUE INDEX packages_name ON packages (workspace_id, name) WHERE deleted_at IS NULL;

CREATE TABLE package_versions (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  package_id    text NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
  semver        text NOT NULL,
  ref           text NOT NULL,
  input_schema  jsonb NOT NULL,
  compatibility jsonb,
  created_by    text NOT NULL,
  published_at  timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (package_id, semver),
  FOREIGN KEY (workspace_id, ref) REFERENCES package_artifacts (workspace_id, digest)
);
CREATE INDEX package_versions_package ON package_versions (package_id, seq DESC);

CREATE TABLE installs (
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                   text PRIMARY KEY,
  workspace_id         text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  package_id           text NOT NULL REFERENCES packages (id),
  version_pin          jsonb NOT NULL,
  -- The version whose render is deployed, and the one a pending :update asks for.
  package_version_id   text NOT NULL REFERENCES package_versions (id),
  desired_version_id   text REFERENCES package_versions (id),
  region_id            text NOT NULL,
  cluster_id           text,
  -- The values the caller gave (inputs.yaml); defaults of the input schema apply at render time.
  input_values         jsonb NOT NULL,
  require_review       boolean NOT NULL DEFAULT false,
  state                text NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'rendering', 'syncing', 'healthy', 'degraded', 'failed', 'deleted')),
  repository_id        text NOT NULL REFERENCES repositories (id),
  created_by           text NOT NULL,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  deleted_at           timestamptz
);
CREATE INDEX installs_workspace ON installs (workspace_id, seq DESC);

CREATE TABLE install_renders (
  seq                            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                             text PRIMARY KEY,
  workspace_id                   text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  install_id                     text NOT NULL REFERENCES installs (id) ON DELETE CASCADE,
  operation_id                   text,
  -- The queued job that carries the render out.
  job_id                         text,
  repository_change_request_id   text,
  package_version_id             text NOT NULL REFERENCES package_versions (id),
  restored_from_render_id        text,
  state                          text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'deployed', 'skipped', 'failed')),
  render_hash                    text,
  commit_sha                     text,
  message                        text,
  skip_unchanged                 boolean NOT NULL DEFAULT true,
  extra_annotations              jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The values this render uses (the install's, a change request's, or a restored render's).
  input_values                   jsonb NOT NULL,
  failure                        jsonb,
  -- Set before the first attempt to commit: a render found running with it set may have committed
  -- already (its worker died), so its commit is looked for by trailer before committing again.
  commit_started_at              timestamptz,
  -- What the render's manifests are a function of (render/engine.ts renderKey): an unchanged install
  -- whose last render has the same key can be skipped without running the program again.
  render_key                     text,
  created_by                     text NOT NULL,
  created_at                     timestamptz NOT NULL DEFAULT now(),
  updated_at                     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX install_renders_install ON install_renders (install_id, seq DESC);

CREATE TABLE repository_change_requests (
  seq                    bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                     text PRIMARY KEY,
  workspace_id           text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  parent_repository_id   text NOT NULL REFERENCES repositories (id),
  fork_repository_id     text NOT NULL REFERENCES repositories (id),
  branch                 text NOT NULL,
  base_sha               text NOT NULL,
  state                  text NOT NULL DEFAULT 'AWAITING_CHANGES' CHECK (state IN (
                           'AWAITING_CHANGES', 'VALIDATING', 'READY', 'ACCEPTING', 'ACCEPTED', 'REJECTED',
                           'WITHDRAWN', 'EXPIRED', 'FAILED')),
  change_type            text NOT NULL DEFAULT 'unknown'
                         CHECK (change_type IN ('manifest_patch', 'inputs_change', 'package_change', 'unknown')),
  created_by_type        text NOT NULL CHECK (created_by_type IN ('user', 'wizard', 'agent')),
  created_by_id          text NOT NULL,
  agent_id               text,
  remediation_evidence   jsonb,
  -- Set when a render opened it (an install that requires review).
  render_id              text,
  operation_id           text,
  rejection_reason       text,
  failure                jsonb,
  accepted_at            timestamptz,
  expires_at             timestamptz NOT NULL,
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX repository_change_requests_workspace ON repository_change_requests (workspace_id, seq DESC);

-- Short-lived tokens that let git push to one change request's branch; only their SHA-256 is kept.
CREATE TABLE repository_change_request_tokens (
  id                            text PRIMARY KEY,
  workspace_id                  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  repository_change_request_id  text NOT NULL REFERENCES repository_change_requests (id) ON DELETE CASCADE,
  token_hash                    text NOT NULL UNIQUE,
  scope                         text NOT NULL CHECK (scope IN ('read', 'write')),
  expires_at                    timestamptz NOT NULL,
  created_at                    timestamptz NOT NULL DEFAULT now()
);
