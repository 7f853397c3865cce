/**
 * A route whose page is its own chunk, loaded the first time it is opened. The router loads it before it
 * renders the route (react-router's `lazy`), so a page never suspends: no "Loading…" flash, and none of
 * the delay React adds before revealing suspended content.
 */
import type { ComponentType } from 'react';

export function lazyRoute<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M) {
  return async () => ({ Component: (await load())[name] as ComponentType });
}
