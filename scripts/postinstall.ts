/**
 * `npm install` / `npm ci` postinstall and `npm run helm:install`: makes sure a helm binary is available
 * for Helm packages (src/lib/helm-binary.ts says where it is looked for and where it is installed).
 * Installing helm is a convenience, so by default any failure is one warning line and exit 0: npm install
 * never fails for it. With `--require` (CI, `npm run helm:install`), finding no helm that runs afterwards
 * is an error (exit 1); a helm of another version than HELM_VERSION is only a warning.
 */
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
