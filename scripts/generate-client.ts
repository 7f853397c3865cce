/**
 * `npm run client:generate`: regenerates packages/client/src/openapi.ts from the OpenAPI document a real
 * Atoll serves, formatted with the repository's prettier configuration (src/testing/client-codegen.ts).
 * Run it after changing any route's schemas; the freshness test in `npm test` fails until you do.
 */
import fs from 'node:fs';
import { GENERATED_CLIENT_TYPES, clientTypesSource } from '../src/testing/client-codegen.ts';

fs.writeFileSync(GENERATED_CLIENT_TYPES, await clientTypesSource());
console.log(`wrote ${GENERATED_CLIENT_TYPES}`);
