/**
 * The job kinds of the deployments family, worked by the sandbox runner: what each carries, checked when
 * it is enqueued and when a runner claims it (src/jobs/registry.ts). Their handlers are runs/worker.ts and
 * services/worker.ts. A worker drops `envs` from the stored payload once it holds them in memory.
 */
import { z } from 'zod';
import { defineJobKind } from '../jobs/registry.ts';
import type { SealedValues } from '../lib/seal.ts';

/** Environment values sealed with the env key (src/lib/seal.ts). */
const SealedEnvsSchema = z.object({
  v: z.literal(1),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
}) satisfies z.ZodType<SealedValues>;

/** Takes one queued run through its sandbox to a terminal state (runs/worker.ts). */
export const runJob = defineJobKind(
  'agent.run',
  z.object({ run_id: z.string(), envs: SealedEnvsSchema.optional() }),
);

export type RunJobPayload = z.infer<typeof runJob.schema>;

/** Runs one generation of a service instance until it is stopped or superseded (services/worker.ts). */
export const serviceJob = defineJobKind(
  'agent.service',
  z.object({ service_id: z.string(), generation: z.number().int(), envs: SealedEnvsSchema.optional() }),
);

export type ServiceJobPayload = z.infer<typeof serviceJob.schema>;
