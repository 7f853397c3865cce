/**
 * `npm run client:generate`: regenerates packages/client/src/openapi.ts from the OpenAPI document a real
 * Atoll serves (src/testing/client-codegen.ts). Run it after changing any route's schemas; the freshness
 * test in `npm test` fails until you do.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  GENERATED_CLIENT_TYPES,
  generateClientTypes,
  servedOpenApiDocument,
} from '../src/testing/client-codegen.ts';

const source = await generateClientTypes(await servedOpenApiDocument());
fs.writeFileSync(GENERATED_CLIENT_TYPES, source);
execFileSync(
  process.execPath,
  ['node_modules/prettier/bin/prettier.cjs', '--write', GENERATED_CLIENT_TYPES],
  {
    stdio: 'ignore',
  },
);
console.log(`wrote ${GENERATED_CLIENT_TYPES}`);
