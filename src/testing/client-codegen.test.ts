import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { GENERATED_CLIENT_TYPES, clientTypesSource } from './client-codegen.ts';

test("@atoll/client's generated types match the OpenAPI document the server serves", async () => {
  const expected = await clientTypesSource();
  const committed = fs.readFileSync(GENERATED_CLIENT_TYPES, 'utf8');
  // Not assert.equal on 16,000 lines: one line of context is what a person needs to see the drift.
  if (committed === expected) return;
  const want = expected.split('\n');
  const have = committed.split('\n');
  let line = 0;
  while (line < want.length && want[line] === have[line]) line++;
  assert.fail(
    `packages/client/src/openapi.ts is stale against /v1/openapi.json (first difference at line ${line + 1}:` +
      ` committed ${JSON.stringify(have[line] ?? '<end of file>')}, generated ${JSON.stringify(want[line] ?? '<end of file>')}); run \`npm run client:generate\` and commit the result`,
  );
});
