/**
 * The operation waiter: long-polls `POST /v1/operations/{id}:wait` until the operation is done, then
 * returns it (done, in whatever state it settled; a FAILED operation is returned, not thrown).
 */
import type { AtollClient } from './client.ts';
import { AtollApiError } from './errors.ts';
import type { components } from './openapi.ts';

export type Operation = components['schemas']['Operation'];

export type WaitOptions = {
  /** Give up after this many milliseconds (default: wait as long as it takes). */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export async function waitForOperation(
  client: AtollClient,
  id: string,
  options: WaitOptions = {},
): Promise<Operation> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  while (true) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const timeout = Math.max(1, Math.min(30, Number.isFinite(left) ? left : 30));
    const { data, error, response } = await client.POST('/v1/operations/{id}:wait', {
      params: { path: { id }, query: { timeout } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (error !== undefined || !data) throw new AtollApiError(response.status, error);
    if (data.done) return data;
    if (Date.now() >= deadline) {
      throw new Error(`operation ${id} is still ${data.state} after ${options.timeoutMs} ms`);
    }
  }
}
