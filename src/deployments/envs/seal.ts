/**
 * Write-only env values on their way from the API process to the worker that starts the sandbox:
 * sealed with AES-256-GCM under the server's env key, bound to the run (or service) id as associated
 * data so a sealed blob cannot be replayed into another run. The job payload carries only the sealed
 * form and the worker wipes it from the row when it claims the job (docs/agent-deployments.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type SealedEnvs = { v: 1; iv: string; tag: string; data: string };

export function sealEnvs(key: Buffer, ownerId: string, envs: Record<string, string>): SealedEnvs {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(ownerId));
  const data = Buffer.concat([cipher.update(JSON.stringify(envs), 'utf8'), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** The envs, or undefined when the blob was sealed under another key (or altered). */
export function openEnvs(
  key: Buffer,
  ownerId: string,
  sealed: SealedEnvs,
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
