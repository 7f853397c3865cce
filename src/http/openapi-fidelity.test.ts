/**
 * Atoll's own OpenAPI document describes the published Akua shapes wherever Atoll serves a published
 * operation (docs/api-conventions.md "OpenAPI fidelity"). The comparer is src/testing/openapi-compare.ts;
 * what it may not flag is listed below, each with its reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { compareDocuments, type Difference } from '../testing/openapi-compare.ts';
import { publishedDocument, publishedSubset } from '../testing/published-api.ts';

/**
 * Intentional differences: the operations (`*`: any) and the places in them (a place covers what is
 * inside it: `body` covers `body.reason`) where Atoll differs on purpose.
 */
const INTENTIONAL: { operations: string[]; where: string[]; reason: string }[] = [
  {
    operations: ['*'],
    where: ['parameter header akua-context'],
    reason:
      'Atoll takes akua-context on every workspace-scoped operation (a JWT picks its workspace with it); the published document lists it on only some',
  },
  {
    operations: ['snippets.create', 'workspaces.create', 'apiTokens.create'],
    where: ['parameter header idempotency-key'],
    reason: 'Atoll takes an optional idempotency-key on these creates too (a retried create creates once)',
  },
  {
    operations: ['agentEvents.stream'],
    where: ['parameter query access_token', 'parameter query akua_context', 'parameter header last-event-id'],
    reason:
      'a browser EventSource cannot send headers: it passes its credential and workspace in the query, and resumes with Last-Event-ID (docs/agents.md)',
  },
  {
    operations: ['agentTurns.cancel'],
    where: ['body'],
    reason: 'Atoll accepts an optional body {reason}, recorded in the turn.cancelled event',
  },
  {
    operations: ['installs.create'],
    where: ['body'],
    reason:
      'one closed object holding both published alternatives, so a missing or refused field is named (product_id: Atoll has no products, 422); require_review is an Atoll extension',
  },
  {
    operations: ['installs.list', 'installs.get'],
    where: [
      'response 200.product_id',
      'response 200.demo_cleanup',
      'response 200.data[].product_id',
      'response 200.data[].demo_cleanup',
    ],
    reason: 'Atoll has no products and no demo installs, so never sends these optional fields',
  },
  {
    operations: ['snippets.listUsage', 'notifications.list'],
    where: ['parameter query cursor', 'parameter query limit'],
    reason:
      'the published lists answer next_cursor but declare no parameter to send it back; Atoll takes cursor (and limit for usage) so the pages can be walked (docs/snippets.md, docs/notifications.md)',
  },
  {
    operations: ['workspaces.addMember', 'workspaces.updateMember'],
    where: ['response 201', 'response 200'],
    reason: 'the published responses have no body; Atoll answers the member as added or changed',
  },
  {
    operations: ['registry.createCredential'],
    where: ['response 201'],
    reason:
      'the published response has no body; Atoll answers the credential as created (never its secrets), so a client has the id to delete it by',
  },
  {
    operations: ['installs.listPods', 'installs.getLogs'],
    where: ['response 200'],
    reason:
      'Atoll has no cluster connection: these answer 404 no_cluster_connection, never a pod list or logs (docs/installs.md)',
  },
];

function covers(entry: (typeof INTENTIONAL)[number], d: Difference): boolean {
  if (!entry.operations.includes('*') && !entry.operations.includes(d.operationId)) return false;
  return entry.where.some(
    (w) => d.where === w || (d.where.startsWith(w) && /^[.[<{]/.test(d.where.slice(w.length))),
  );
}

const show = (ds: Difference[]) => ds.map((d) => `${d.operationId} ${d.where}: ${d.message}`).join('\n');

describe('OpenAPI fidelity: Atoll describes the published shapes of the operations it serves', () => {
  let h: Harness;
  let atoll: any;
  before(async () => {
    h = await startHarness();
    atoll = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
  });
  after(() => h.close());

  test('every published operation Atoll serves has the published parameters, request body and success responses', () => {
    const differences = compareDocuments(publishedDocument, atoll);
    const unexpected = differences.filter((d) => !INTENTIONAL.some((e) => covers(e, d)));
    assert.equal(unexpected.length, 0, `differences from the published document:\n${show(unexpected)}`);
    const stale = INTENTIONAL.flatMap((e) =>
      e.where
        .filter((where) => !differences.some((d) => covers({ ...e, where: [where] }, d)))
        .map((where) => `${e.operations.join(', ')}: ${where}`),
    );
    assert.deepEqual(stale, [], 'intentional differences that no longer occur: remove them');
  });

  test('Atoll serves most of the published subset', () => {
    const served = Object.entries(publishedSubset.paths as Record<string, any>).flatMap(([path, item]) =>
      Object.keys(item).filter((m) => atoll.paths[`/v1${path}`]?.[m]),
    );
    assert.ok(served.length >= 70, `only ${served.length} published operations are served`);
  });
});

describe('the OpenAPI comparer', () => {
  const copy = () => structuredClone(publishedSubset);
  const compare = (mutate: (doc: any) => void) => {
    const doc = copy();
    mutate(doc);
    return show(compareDocuments(publishedSubset, doc, ''));
  };

  test('finds no difference between the published document and itself', () => {
    assert.equal(
      compare(() => {}),
      '',
    );
  });

  test('flags a response schema that is nullable where the published one is not', () => {
    const out = compare((doc) => (doc.components.schemas.InstallRender.type = ['object', 'null']));
    assert.match(out, /installs\.getRender response 200: nullable in Atoll, not when published/);
  });

  test('flags untyped operation metadata, a missing property and a required one left optional', () => {
    const out = compare((doc) => {
      const op = doc.components.schemas.Operation;
      op.properties.metadata = { type: 'object', additionalProperties: {} };
      delete op.properties.html_url;
      op.required = op.required.filter((r: string) => r !== 'done');
    });
    assert.match(
      out,
      /operations\.get response 200\.metadata<object>: Atoll alternative without a counterpart/,
    );
    assert.match(out, /operations\.get response 200\.html_url: published, not in Atoll/);
    assert.match(out, /operations\.get response 200\.done: required when published, optional in Atoll/);
  });

  test('flags parameter names, renamed path parameters, required headers and unmarked or required extra parameters', () => {
    const out = compare((doc) => {
      const runs = doc.paths['/snippets/{id}/runs/{run_id}'];
      doc.paths['/snippets/{id}/runs/{runId}'] = runs;
      delete doc.paths['/snippets/{id}/runs/{run_id}'];
      runs.get.parameters.find((p: any) => p.name === 'run_id').name = 'runId';
      doc.paths['/operations'].get.parameters.find((p: any) => p.name === 'owner_type').name = 'ownerType';
      doc.paths['/snippets/{id}'].patch.parameters.find((p: any) => p.name === 'if-match').required = false;
      const list = doc.paths['/snippets'].get.parameters;
      list.push({
        in: 'query',
        name: 'archived',
        schema: { type: 'string' },
        description: 'Atoll: an extension',
      });
      list.push({ in: 'query', name: 'shelf', required: true, description: 'Atoll: required, so not one' });
    });
    assert.doesNotMatch(out, /parameter query archived/);
    assert.match(out, /snippets\.list parameter query shelf: in Atoll, not published/);
    assert.match(out, /snippets\.getRun parameter path run_id: published, not in Atoll/);
    assert.match(out, /snippets\.getRun parameter path runId: in Atoll, not published/);
    assert.match(out, /operations\.list parameter query owner_type: published, not in Atoll/);
    assert.match(out, /snippets\.update parameter header if-match: required: published true, Atoll false/);
  });

  test('flags request bodies: a property Atoll requires, an enum, a closed object left open, an unmarked extension', () => {
    const out = compare((doc) => {
      const body = doc.components.schemas.CreateApiTokenRequest;
      body.required = [...body.required, 'expires_at'];
      body.properties.scope = { type: 'string' };
      body.properties.mode = { type: 'string', description: 'Atoll: an extension' };
      doc.components.schemas.CreateSnippetRunBody.additionalProperties = true;
      doc.components.schemas.Operation.properties.state.enum.push('PAUSED');
    });
    assert.match(out, /apiTokens\.create body\.expires_at: required in Atoll, optional when published/);
    assert.match(out, /apiTokens\.create body\.scope: in Atoll, not published/);
    assert.doesNotMatch(out, /body\.mode/);
    assert.match(out, /snippets\.createRun body: closed when published/);
    assert.match(out, /operations\.get response 200\.state: enum/);
  });
});
