import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { MAX_UNKNOWN_BYTES } from './open-objects.ts';
import {
  createAgent,
  errorPaths,
  isUnixSeconds,
  minimalAgent,
  ZERO_USAGE,
  type Actor,
} from './test-fixtures.ts';

const AGENT_FIELDS = [
  'ambient',
  'capabilities',
  'created_at',
  'created_by',
  'description',
  'etag',
  'id',
  'instructions',
  'model_policy',
  'name',
  'organization_id',
  'origin',
  'runtime_deployment_id',
  'state',
  'updated_at',
  'usage_summary',
  'workspace_id',
];

const fullAmbient = {
  enabled: true,
  policy: {
    remediation_mode: 'APPROVAL_GATED',
    allowed_resource_scopes: [{ type: 'install', id: 'inst_1' }, { type: 'cluster' }],
    max_spend_cents_per_trigger: 250,
  },
  triggers: [
    {
      trigger_id: 'degraded-installs',
      type: 'INSTALL_STATE',
      state: 'ENABLED',
      severity_min: 'HIGH',
      runtime_hint: 'CODE_MODE',
      cooldown_seconds: 600,
      relationship_scope: {
        type: 'SELLER_CUSTOMER',
        seller_workspace_id: 'ws_seller',
        customer_workspace_id: 'ws_customer',
        support_relationship_id: 'rel_1',
      },
      resource_filters: [{ type: 'install', id: 'inst_1' }],
      quiet_hours: { timezone: 'Europe/Berlin', start: '22:00', end: '06:30' },
    },
    {
      trigger_id: 'manual',
      type: 'MANUAL_TEST',
      state: 'DISABLED',
      runtime_hint: 'AUTO',
      relationship_scope: { type: 'WORKSPACE' },
    },
  ],
};

const fullPolicy = {
  default_model: 'claude-sonnet',
  billing_mode: 'WORKSPACE_BYOK',
  credential_secret_id: 'sec_abc',
  allowed_models: ['claude-sonnet', 'claude-opus'],
  severity_model_overrides: [{ severity: 'CRITICAL', model: 'claude-opus' }],
  max_budget_cents: 10_000,
  budget_period: 'MONTH',
  max_turn_budget_cents: 500,
};

describe('agents', () => {
  let h: Harness;
  let me: Actor;
  before(async () => {
    h = await startHarness();
    me = { id: h.workspaceId, token: h.token };
  });
  after(() => h.close());

  const patch = (id: string, ifMatch: string | undefined, body: object, token = h.token) =>
    h.request('PATCH', `/v1/agents/${id}`, {
      token,
      body,
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    });

  test('create answers 201 with every Agent field, defaults filled in, an ETag and a Location', async () => {
    const res = await h.request('POST', '/v1/agents', { body: minimalAgent });
    assert.equal(res.status, 201);
    const a = res.body;
    assert.deepEqual(Object.keys(a).sort(), AGENT_FIELDS);
    assert.match(a.id, /^agt_[a-z2-7]{26}$/);
    const [token] = await h.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('workspace_id', '=', h.workspaceId)
      .execute();
    assert.deepEqual(
      { ...a, created_at: 0, updated_at: 0 },
      {
        id: a.id,
        workspace_id: h.workspaceId,
        organization_id: null,
        name: 'Cluster doctor',
        description: null,
        instructions: 'Keep clusters healthy.',
        state: 'ENABLED',
        origin: 'USER',
        capabilities: ['CHAT'],
        ambient: null,
        model_policy: {
          default_model: 'auto',
          billing_mode: 'PLATFORM_API',
          credential_secret_id: null,
          allowed_models: ['auto'],
        },
        created_by: token!.id,
        usage_summary: ZERO_USAGE,
        runtime_deployment_id: null,
        created_at: 0,
        updated_at: 0,
        etag: '1',
      },
    );
    assert.ok(isUnixSeconds(a.created_at) && a.updated_at === a.created_at, 'Unix seconds');
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.headers.get('location'), `/v1/agents/${a.id}`);
    const read = await h.request('GET', `/v1/agents/${a.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, a);
    assert.equal(read.headers.get('etag'), '"1"');
  });

  test('every optional field given at create is stored as given', async () => {
    const body = {
      ...minimalAgent,
      description: 'Watches installs',
      capabilities: ['CHAT', 'CODING', 'AMBIENT'],
      ambient: fullAmbient,
      model_policy: fullPolicy,
    };
    const a = await createAgent(h, me, body);
    for (const [field, value] of Object.entries(body)) assert.deepEqual(a[field], value, field);
    assert.deepEqual((await h.request('GET', `/v1/agents/${a.id}`)).body, a);
  });

  test('unknown keys anywhere inside ambient and model_policy are kept and returned; known keys stay checked', async () => {
    // The published AgentAmbientConfig and AgentModelPolicy (and the objects inside them) are open.
    const ambient = {
      ...fullAmbient,
      future_flag: true,
      policy: { ...fullAmbient.policy, escalation: { after_minutes: 30 } },
      triggers: [
        {
          ...fullAmbient.triggers[0],
          labels: ['a', 'b'],
          relationship_scope: { ...fullAmbient.triggers[0]!.relationship_scope, tier: 'gold' },
          resource_filters: [{ type: 'install', id: 'inst_1', match: 'exact' }],
          quiet_hours: { ...fullAmbient.triggers[0]!.quiet_hours, weekdays_only: true },
        },
        { ...fullAmbient.triggers[1], relationship_scope: { type: 'WORKSPACE', note: 'n' } },
      ],
    };
    const model_policy = {
      ...fullPolicy,
      temperature: 0.2,
      severity_model_overrides: [{ severity: 'CRITICAL', model: 'claude-opus', reason: 'pages' }],
    };
    const body = { ...minimalAgent, capabilities: ['CHAT', 'AMBIENT'], ambient, model_policy };
    const res = await h.request('POST', '/v1/agents', { body });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(checkPublishedResponse('agents.create', res.status, res.body), []);
    assert.deepEqual(res.body.ambient, ambient);
    assert.deepEqual(res.body.model_policy, model_policy);
    const read = await h.request('GET', `/v1/agents/${res.body.id}`);
    assert.deepEqual(read.body.ambient, ambient);
    assert.deepEqual(read.body.model_policy, model_policy);
    assert.deepEqual(checkPublishedResponse('agents.get', read.status, read.body), []);

    const patched = await patch(res.body.id, res.body.etag, { model_policy: { ...model_policy, top_p: 1 } });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.model_policy, { ...model_policy, top_p: 1 });
    assert.deepEqual(checkPublishedResponse('agents.update', patched.status, patched.body), []);

    // A known key beside unknown ones is still validated.
    const bad = await h.request('POST', '/v1/agents', {
      body: { ...minimalAgent, model_policy: { ...fullPolicy, extra: 1, billing_mode: 'FREE' } },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorPaths(bad), ['body.model_policy.billing_mode']);
    assert.deepEqual(checkPublishedResponse('agents.create', bad.status, bad.body), []);
  });

  test('unknown keys inside ambient or model_policy may hold 16 KiB of JSON in total; more is a 422 naming the key', async () => {
    const fits = { ...fullPolicy, notes: 'n'.repeat(MAX_UNKNOWN_BYTES - '"notes":""'.length) };
    const ok = await h.request('POST', '/v1/agents', { body: { ...minimalAgent, model_policy: fits } });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.body.model_policy, fits);
    const over = await h.request('POST', '/v1/agents', {
      body: { ...minimalAgent, model_policy: { ...fits, more: 1 } },
    });
    assert.equal(over.status, 422, over.text);
    assert.deepEqual(errorPaths(over), ['body.model_policy.more']);
    // Spread over nested objects, the total counts.
    const triggers = Array.from({ length: 20 }, (_, i) => ({
      ...fullAmbient.triggers[1],
      trigger_id: `t${i}`,
      blob: 'b'.repeat(1000),
    }));
    const nested = await h.request('POST', '/v1/agents', {
      body: { ...minimalAgent, ambient: { enabled: false, triggers } },
    });
    assert.equal(nested.status, 422, nested.text);
    assert.deepEqual(errorPaths(nested), ['body.ambient.triggers.16.blob']);
    assert.deepEqual(checkPublishedResponse('agents.create', nested.status, nested.body), []);
  });

  test('each limit of the create body is a 422 naming its field', async () => {
    const cases: Array<[object, string]> = [
      [{ ...minimalAgent, name: '' }, 'body.name'],
      [{ ...minimalAgent, name: 'n'.repeat(121) }, 'body.name'],
      [{ ...minimalAgent, instructions: '' }, 'body.instructions'],
      [{ ...minimalAgent, instructions: 'i'.repeat(20_001) }, 'body.instructions'],
      [{ ...minimalAgent, description: 'd'.repeat(501) }, 'body.description'],
      [{ ...minimalAgent, capabilities: [] }, 'body.capabilities'],
      [{ ...minimalAgent, capabilities: Array(11).fill('CHAT') }, 'body.capabilities'],
      [{ ...minimalAgent, capabilities: ['CHAT', 'CHAT'] }, 'body.capabilities.1'],
      [{ ...minimalAgent, capabilities: ['TELEPATHY'] }, 'body.capabilities.0'],
      [{ name: 'x', instructions: 'y' }, 'body.capabilities'],
      [{ ...minimalAgent, extra: 1 }, 'body.extra'],
      [
        { ...minimalAgent, model_policy: { ...fullPolicy, allowed_models: [] } },
        'body.model_policy.allowed_models',
      ],
      [
        { ...minimalAgent, model_policy: { ...fullPolicy, default_model: 'gpt' } },
        'body.model_policy.default_model',
      ],
      [
        { ...minimalAgent, model_policy: { ...fullPolicy, billing_mode: 'FREE' } },
        'body.model_policy.billing_mode',
      ],
      [
        { ...minimalAgent, model_policy: { ...fullPolicy, max_budget_cents: -1 } },
        'body.model_policy.max_budget_cents',
      ],
      [
        {
          ...minimalAgent,
          model_policy: { ...fullPolicy, severity_model_overrides: [{ severity: 'LOW', model: 'other' }] },
        },
        'body.model_policy.severity_model_overrides.0.model',
      ],
      [
        {
          ...minimalAgent,
          model_policy: {
            ...fullPolicy,
            severity_model_overrides: [
              { severity: 'LOW', model: 'claude-opus' },
              { severity: 'LOW', model: 'claude-sonnet' },
            ],
          },
        },
        'body.model_policy.severity_model_overrides.1.severity',
      ],
      [
        {
          ...minimalAgent,
          model_policy: { default_model: 'm', billing_mode: 'PLATFORM_API', allowed_models: ['m'] },
        },
        'body.model_policy.credential_secret_id',
      ],
      [{ ...minimalAgent, ambient: { enabled: false } }, 'body.ambient.triggers'],
      [
        { ...minimalAgent, ambient: { enabled: false, triggers: Array(51).fill(fullAmbient.triggers[1]) } },
        'body.ambient.triggers',
      ],
      [
        {
          ...minimalAgent,
          ambient: { enabled: false, triggers: [fullAmbient.triggers[1], fullAmbient.triggers[1]] },
        },
        'body.ambient.triggers.1.trigger_id',
      ],
      [
        {
          ...minimalAgent,
          ambient: { enabled: false, triggers: [{ ...fullAmbient.triggers[1], cooldown_seconds: 0 }] },
        },
        'body.ambient.triggers.0.cooldown_seconds',
      ],
      [
        {
          ...minimalAgent,
          ambient: {
            enabled: false,
            triggers: [
              {
                ...fullAmbient.triggers[0],
                quiet_hours: { timezone: 'Mars/Olympus', start: '22:00', end: '06:00' },
              },
            ],
          },
        },
        'body.ambient.triggers.0.quiet_hours.timezone',
      ],
      [
        {
          ...minimalAgent,
          ambient: {
            enabled: false,
            triggers: [
              { ...fullAmbient.triggers[0], quiet_hours: { timezone: 'UTC', start: '24:00', end: '06:00' } },
            ],
          },
        },
        'body.ambient.triggers.0.quiet_hours.start',
      ],
      [
        {
          ...minimalAgent,
          ambient: {
            enabled: false,
            triggers: [{ ...fullAmbient.triggers[1], relationship_scope: { type: 'SELLER_CUSTOMER' } }],
          },
        },
        'body.ambient.triggers.0.relationship_scope.seller_workspace_id',
      ],
      [
        {
          ...minimalAgent,
          ambient: {
            ...fullAmbient,
            policy: { ...fullAmbient.policy, allowed_resource_scopes: Array(101).fill({ type: 'x' }) },
          },
        },
        'body.ambient.policy.allowed_resource_scopes',
      ],
      [{ ...minimalAgent, ambient: { enabled: true, triggers: [] } }, 'body.ambient.enabled'],
    ];
    for (const [body, path] of cases) {
      const res = await h.request('POST', '/v1/agents', { body });
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.ok(errorPaths(res).includes(path), `${path} named in ${JSON.stringify(errorPaths(res))}`);
    }
  });

  test('the list shows agents newest first, archived ones included, and pages with a cursor', async () => {
    const ws = await h.newWorkspace('agent-paging');
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await createAgent(h, ws, { ...minimalAgent, name: `A${n}` })).id);
    await h.request('DELETE', `/v1/agents/${ids[0]}`, { token: ws.token });
    const first = await h.request('GET', '/v1/agents?limit=2', { token: ws.token });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.data.map((a: any) => a.id),
      [ids[2], ids[1]],
    );
    assert.equal(first.body.has_more, true);
    const second = await h.request('GET', `/v1/agents?limit=2&cursor=${first.body.next_cursor}`, {
      token: ws.token,
    });
    assert.deepEqual(
      second.body.data.map((a: any) => [a.id, a.state]),
      [[ids[0], 'ARCHIVED']],
    );
    assert.equal(second.body.has_more, false);
    assert.equal(second.body.next_cursor, null);
    assert.deepEqual(Object.keys(second.body.data[0]).sort(), AGENT_FIELDS);
  });

  test('PATCH needs if-match: missing is 428, stale is 409 ABORTED with the current etag, fresh applies', async () => {
    const a = await createAgent(h, me, { ...minimalAgent, description: 'before' });
    const missing = await patch(a.id, undefined, { name: 'x' });
    assert.equal(missing.status, 428);
    assert.deepEqual(missing.body.errors[0].path, ['header', 'if-match']);

    const fresh = await patch(a.id, '"1"', {
      name: 'Renamed',
      capabilities: ['CODING'],
      model_policy: fullPolicy,
    });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.name, 'Renamed');
    assert.deepEqual(fresh.body.capabilities, ['CODING']);
    assert.deepEqual(fresh.body.model_policy, fullPolicy);
    assert.equal(fresh.body.description, 'before', 'fields not in the patch are kept');
    assert.equal(fresh.body.etag, '2');
    assert.equal(fresh.headers.get('etag'), '"2"');

    const stale = await patch(a.id, '1', { name: 'Lost' });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, '2');
    assert.equal((await h.request('GET', `/v1/agents/${a.id}`)).body.name, 'Renamed');
  });

  test('two writers racing with one etag: exactly one wins', async () => {
    const a = await createAgent(h, me);
    const results = await Promise.all(['a', 'b', 'c'].map((name) => patch(a.id, '1', { name })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
  });

  test('PATCH sets and removes the ambient configuration, keeping it consistent with the capabilities', async () => {
    const a = await createAgent(h, me, { ...minimalAgent, capabilities: ['CHAT', 'AMBIENT'] });
    const set = await patch(a.id, '1', { ambient: fullAmbient });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.ambient, fullAmbient);
    const dropAmbient = await patch(a.id, '2', { capabilities: ['CHAT'] });
    assert.equal(dropAmbient.status, 422);
    assert.deepEqual(errorPaths(dropAmbient), ['body.capabilities']);
    const cleared = await patch(a.id, '2', { ambient: null, capabilities: ['CHAT'] });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.ambient, null);
    const unknown = await patch(a.id, '3', { state: 'ARCHIVED' });
    assert.equal(unknown.status, 422);
    assert.deepEqual(errorPaths(unknown), ['body.state']);
  });

  test('an empty PATCH changes nothing and keeps the etag', async () => {
    const a = await createAgent(h, me);
    const res = await patch(a.id, '1', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, a);
  });

  test('DELETE archives (200 Agent, again 200 unchanged); an archived agent refuses changes until :enable', async () => {
    const a = await createAgent(h, me);
    const archived = await h.request('DELETE', `/v1/agents/${a.id}`);
    assert.equal(archived.status, 200);
    assert.deepEqual(Object.keys(archived.body).sort(), AGENT_FIELDS);
    assert.equal(archived.body.state, 'ARCHIVED');
    assert.equal(archived.body.etag, '2');
    assert.equal(archived.headers.get('etag'), '"2"');
    const again = await h.request('DELETE', `/v1/agents/${a.id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, archived.body);

    const refused = await patch(a.id, '2', { name: 'x' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.errors[0].metadata.status, 'FAILED_PRECONDITION');
    assert.equal(refused.body.errors[0].metadata.reason, 'agent_archived');

    const enabled = await h.request('POST', `/v1/agents/${a.id}:enable`);
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.state, 'ENABLED');
    assert.equal(enabled.body.etag, '3');
    assert.equal(enabled.headers.get('etag'), '"3"');
    const enabledAgain = await h.request('POST', `/v1/agents/${a.id}:enable`);
    assert.deepEqual(enabledAgain.body, enabled.body);
    assert.equal((await patch(a.id, '3', { name: 'back' })).status, 200);
  });

  test('an archived agent gets no new session (409 naming agent_id) until it is enabled', async () => {
    const a = await createAgent(h, me);
    await h.request('DELETE', `/v1/agents/${a.id}`);
    const refused = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: a.id } });
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body.errors[0].path, ['body', 'agent_id']);
    assert.equal(refused.body.errors[0].metadata.reason, 'agent_archived');
    await h.request('POST', `/v1/agents/${a.id}:enable`);
    assert.equal((await h.request('POST', '/v1/agent_sessions', { body: { agent_id: a.id } })).status, 201);
  });

  test("another workspace's agent is 404 on every agent route and absent from its list", async () => {
    const a = await createAgent(h, me);
    const other = await h.newWorkspace('agent-intruder');
    for (const [method, path, extra] of [
      ['GET', `/v1/agents/${a.id}`, {}],
      ['PATCH', `/v1/agents/${a.id}`, { headers: { 'if-match': '1' }, body: { name: 'x' } }],
      ['DELETE', `/v1/agents/${a.id}`, {}],
      ['POST', `/v1/agents/${a.id}:enable`, {}],
    ] as const) {
      const res = await h.request(method, path, { token: other.token, ...extra });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    }
    const list = await h.request('GET', '/v1/agents', { token: other.token });
    assert.deepEqual(list.body.data, []);
    assert.deepEqual(
      (await h.request('GET', `/v1/agents/${a.id}`)).body,
      a,
      'the owner still has it unchanged',
    );
  });
});
