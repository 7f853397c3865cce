/**
 * The bundle manifest a version is created with: what the CLI planned to put in the tar (every
 * file it looked at, included or not, and why), the digests that tie the tar to the version, and the
 * patterns it used. The upload is checked against it (bundles/verify.ts).
 */
import { z } from '@hono/zod-openapi';

/** `sha256:` and 64 lowercase hex digits. */
export const Digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits');

export const BundleEntry = z
  .strictObject({
    path: z.string().min(1).max(1024),
    included: z.boolean(),
    reason: z.string().max(512).nullable().default(null),
    size: z.number().int().min(0).nullable().default(null),
    mode: z.number().int().min(0).max(0o7777).nullable().default(null),
    digest: Digest.nullable().default(null),
    symlink_target: z.string().max(4096).nullable().default(null),
  })
  .openapi('BundleEntry');
export type BundleEntry = z.infer<typeof BundleEntry>;

export const BundleManifest = z
  .strictObject({
    bundle_digest: Digest,
    config_digest: Digest.nullable().default(null),
    archive_format: z.literal('tar').default('tar'),
    total_size: z.number().int().min(0),
    file_count: z.number().int().min(1),
    generated_at: z.string().datetime({ offset: true }).nullable().default(null),
    materialization_path: z.string().max(256).nullable().default(null),
    entries: z.array(BundleEntry).max(100_000).default([]),
    include_patterns: z.array(z.string().max(1024)).max(1000).default([]),
    exclude_patterns: z.array(z.string().max(1024)).max(1000).default([]),
    default_exclude_patterns: z.array(z.string().max(1024)).max(1000).default([]),
  })
  .openapi('BundleManifest');
export type BundleManifest = z.infer<typeof BundleManifest>;
