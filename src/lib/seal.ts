/**
 * Write-only values sealed with AES-256-GCM under the server's env key (ATOLL_ENV_KEY, else
 * DATA_DIR/env-key), bound to their owner's id as associated data so that a sealed blob cannot be
 * replayed into another owner. Used for run and service envs on their way to the sandbox worker (the job
 * payload carries only the sealed form; docs/agent-deployments.md) and for registry connection
 * credentials at rest (docs/packages.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type SealedValues = { v: 1; iv: string; tag: string; data: string };

export function sealValues(key: Buffer, ownerId: string, values: Record<string, string>): SealedValues {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(ownerId));
  const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** The values, or undefined when the blob was sealed under another key or owner (or altered). */
export function openValues(
  key: Buffer,
  ownerId: string,
  sealed: SealedValues,
): Record<string, string> | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(ownerId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** The configured key, else DATA_DIR/env-key (32 random bytes, mode 0600, created once). */
export function loadEnvKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, 'env-key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process of this data dir created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    throw error;
  }
}
