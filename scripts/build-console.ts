/**
 * `npm run console:build`: builds the web console into console/dist (src/console/build.ts), even when
 * the existing build is fresh. `atoll serve` and `npm install` build it only when missing or stale.
 */
import { buildConsole } from '../src/console/build.ts';

await buildConsole((line) => console.log(`atoll: ${line}`));
