/**
 * `npm install` / `npm ci` postinstall and `npm run helm:install`: makes sure a helm binary is available
 * for Helm packages (src/lib/helm-binary.ts says where it is looked for and where it is installed).
 * Installing helm is a convenience, so by default any failure is one warning line and exit 0: npm install
 * never fails for it. With `--require` (CI, `npm run helm:install`), finding no helm that runs afterwards
 * is an error (exit 1); a helm of another version than HELM_VERSION is only a warning.
 *
 * Without `--require` it then builds @atoll/client's dist (for Node 20 and bundlers outside this repository)
 * and the web console (console/dist, unless fresh), so that the first `npm start` serves the console at
 * once; a failure there is a warning too (`atoll serve` builds the console itself when it is missing).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensureConsoleBuilt, REPO_ROOT } from '../src/console/build.ts';
import {
  findHelm,
  HELM_VERSION,
  helmCachePath,
  helmVersion,
  installHelm,
  isExpectedHelmVersion,
} from '../src/lib/helm-binary.ts';

const required = process.argv.includes('--require');
const say = (line: string) => console.log(`atoll: ${line}`);

try {
  if (!findHelm()) await installHelm({ log: say });
} catch (error) {
  console.warn(
    `atoll: warning: could not install helm v${HELM_VERSION} into ${helmCachePath()} (${(error as Error).message}); ` +
      'Helm packages need helm: set ATOLL_HELM=/path/to/helm, put helm on PATH, or run `npm run helm:install`',
  );
}

if (required) {
  const helm = findHelm();
  if (!helm) {
    console.error('atoll: error: no helm found (ATOLL_HELM, PATH, or the installed cache); see above');
    process.exit(1);
  }
  try {
    const line = await helmVersion(helm);
    if (isExpectedHelmVersion(line)) say(`helm ${line} at ${helm}`);
    else console.warn(`atoll: warning: ${helm} is helm ${line}; Atoll is tested with v${HELM_VERSION}`);
  } catch (error) {
    console.error(`atoll: error: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (!required) {
  try {
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'packages/client/tsconfig.build.json')], {
      stdio: 'pipe',
    });
    say('built @atoll/client (packages/client/dist)');
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString().trim();
    console.warn(`atoll: warning: could not build @atoll/client: ${output || (error as Error).message}`);
  }
  try {
    await ensureConsoleBuilt(say);
  } catch (error) {
    console.warn(`atoll: warning: ${(error as Error).message}; \`npm start\` will try again`);
  }
}
