/**
 * Reading an agent's `atoll.agent.toml` (or `nullspace.agent.toml` when there is none): exactly the
 * keys of the Nullspace file, each checked by the server's own AgentConfig schema, and `[bundle]`,
 * which only steers planning and is not part of the config. Every problem names its TOML key, and
 * unknown keys are errors everywhere (also in `[service.readiness]`, whose unknown keys the API would
 * keep), so a typo never goes unnoticed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { AgentConfig } from '../config-schema.ts';
import { patternProblem } from './glob.ts';

export const AGENT_TOML = 'atoll.agent.toml';
export const FALLBACK_AGENT_TOML = 'nullspace.agent.toml';

/** The keys each table may hold; a nested table's keys are listed under its dotted name. */
const KEYS: Record<string, readonly string[]> = {
  '': [
    'name',
    'mode',
    'template',
    'workdir',
    'install',
    'entrypoint',
    'env',
    'bundle',
    'outputs',
    'service',
    'resources',
    'debug',
    'permissions',
  ],
  env: ['required', 'optional'],
  bundle: ['include', 'exclude'],
  outputs: ['paths'],
  service: ['port', 'readiness'],
  'service.readiness': ['path', 'timeout_seconds', 'type'],
  resources: ['vcpus', 'memory_mb', 'disk_mb', 'timeout_seconds'],
  debug: ['retain_on_failure', 'retain_seconds'],
  permissions: ['internet_access', 'allow_out', 'public_url'],
};

const Pattern = z.string().superRefine((p, ctx) => {
  const problem = patternProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: `pattern ${problem}` });
});
const BundleSection = z.object({
  include: z.array(Pattern).max(1000).default([]),
  exclude: z.array(Pattern).max(1000).default([]),
});
export type BundleSection = z.infer<typeof BundleSection>;

export type AgentToml = {
  /** The file read (its base name appears in error messages). */
  file: string;
  /** The validated config, defaults applied: what a version is created with. */
  config: AgentConfig;
  /** `[bundle]` patterns, for planning. */
  bundle: BundleSection;
};

/** A TOML file that cannot be used; `problems` holds one line per problem, each naming its key. */
export class AgentTomlError extends Error {
  override name = 'AgentTomlError';
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.problems = problems;
  }
}

/** Reads and validates the agent TOML of `dir`. */
export async function readAgentToml(dir: string): Promise<AgentToml> {
  for (const name of [AGENT_TOML, FALLBACK_AGENT_TOML]) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new AgentTomlError(name, [(error as Error).message]);
    }
    return { ...parseAgentToml(text, name), file };
  }
  throw new AgentTomlError(AGENT_TOML, [`not found in ${dir} (nor ${FALLBACK_AGENT_TOML})`]);
}

/** Parses and validates agent TOML text; `file` names it in errors. */
export function parseAgentToml(text: string, file = AGENT_TOML): AgentToml {
  let document: Record<string, unknown>;
  try {
    document = parse(text, { unsafeKeyBehaviour: 'throw', maxDepth: 16 }) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError)
      throw new AgentTomlError(`${file}:${error.line}:${error.column}`, [error.message.split('\n')[0]!]);
    throw error;
  }
  const problems = unknownKeys(document, '');
  const { bundle: rawBundle, ...rawConfig } = document;
  const config = AgentConfig.safeParse(rawConfig);
  if (!config.success) problems.push(...describe(config.error, []));
  const bundle = BundleSection.safeParse(rawBundle ?? {});
  if (!bundle.success) problems.push(...describe(bundle.error, ['bundle']));
  if (problems.length > 0 || !config.success || !bundle.success) throw new AgentTomlError(file, problems);
  return { file, config: config.data, bundle: bundle.data };
}

function unknownKeys(table: Record<string, unknown>, at: string): string[] {
  const allowed = KEYS[at];
  if (!allowed) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(table)) {
    const dotted = at === '' ? key : `${at}.${key}`;
    if (!allowed.includes(key)) {
      problems.push(
        `${dotted}: unknown key (${at === '' ? 'top-level' : `[${at}]`} keys are ${allowed.join(', ')})`,
      );
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      problems.push(...unknownKeys(value as Record<string, unknown>, dotted));
  }
  return problems;
}

function describe(error: z.ZodError, prefix: string[]): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') continue; // reported by unknownKeys, with the allowed keys
    const key = tomlKey([...prefix, ...issue.path]);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    out.push(`${key}: ${missing ? 'is required' : issue.message}`);
  }
  return out;
}

/** `resources.memory_mb`, `bundle.include[0]`. */
function tomlKey(path: PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out || '(file)';
}
