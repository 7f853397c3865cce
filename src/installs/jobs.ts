/**
 * The job kinds of the installs family: what each carries, checked when it is enqueued and when a runner
 * claims it (src/jobs/registry.ts). Their handlers are in renders/worker.ts, delete-job.ts and
 * packages/publish-job.ts.
 */
import { z } from 'zod';
import { defineJobKind } from '../jobs/registry.ts';

/** Carries one render out (renders/worker.ts); renders of one install share a serial key. */
export const renderJob = defineJobKind('install.render', z.object({ render_id: z.string() }));

/** Purges a deleted install once its queued renders have run (delete-job.ts). */
export const deleteJob = defineJobKind(
  'install.delete',
  z.object({ install_id: z.string(), operation_id: z.string(), deleted_by: z.string() }),
);

/** Commits a published version's files to its package's repository (packages/publish-job.ts). */
export const publishJob = defineJobKind('package.publish', z.object({ package_version_id: z.string() }));
