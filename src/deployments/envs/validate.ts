/** Checks write-only envs against a version's config: every env.required name present, no reserved names. */
import { invalid } from '../../http/errors.ts';
import type { AgentConfig } from '../config-schema.ts';

/** Names the platform sets itself (docs/agent-deployments.md). */
const RESERVED = /^(ATOLL_|NULLSPACE_RUN_)/;

export function checkEnvs(config: AgentConfig, envs: Record<string, string>): void {
  const reserved = Object.keys(envs).filter((name) => RESERVED.test(name));
  if (reserved.length > 0)
    throw invalid(
      ['body', 'envs', reserved[0]!],
      `env names starting with ATOLL_ or NULLSPACE_RUN_ are set by the platform: ${reserved.join(', ')}`,
    );
  const missing = config.env.required.filter((name) => !(name in envs));
  if (missing.length > 0)
    throw invalid(
      ['body', 'envs'],
      `the version's env.required names are missing from envs: ${missing.join(', ')}`,
      { hint: `send them in "envs": {${missing.map((n) => `"${n}": "…"`).join(', ')}}` },
    );
}
