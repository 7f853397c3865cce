/** A page loaded as its own chunk the first time it is opened (the frame shows Loading meanwhile). */
import { lazy, type ComponentType } from 'react';

export function lazyPage<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M) {
  const Component = lazy(async () => ({ default: (await load())[name] as ComponentType }));
  return <Component />;
}
