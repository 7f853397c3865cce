import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readAgentToml } from '../deployments/bundles/agent-toml.ts';
import { assertPublished } from '../testing/published-api.ts';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { CATALOG_DIR, loadCatalog } from './catalog.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples/agents');

const published = assertPublished;

/** Every page of a list, following next_cursor with `limit`. */
async function walk(h: Harness, url: string, operationId: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = published(operationId, await h.request('GET', `${url}?${query}`));
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.data.length <= limit);
    items.push(...res.body.data);
    if (!res.body.has_more) {
      assert.equal(res.body.next_cursor, null);
      return items;
    }
    assert.equal(typeof res.body.next_cursor, 'string');
    cursor = res.body.next_cursor;
  }
  throw new Error('too many pages');
}

describe('agent skills and templates', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('skills are listed in id order, each visible to the workspace of the request', async () => {
    const res = published('agentSkills.list', await h.request('GET', '/v1/agent_skills'));
    assert.equal(res.status, 200);
    const ids = res.body.data.map((s: any) => s.id);
    assert.ok(ids.length >= 10);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(res.body.has_more, false);
    for (const skill of res.body.data) {
      assert.equal(skill.workspace_id, h.workspaceId);
      assert.equal(skill.state, 'PUBLISHED');
      assert.match(skill.etag, /^[0-9a-f]{16}$/);
    }
    for (const id of [
      'skl_turn_messages',
      'skl_approval_requests',
      'skl_snippets',
      'skl_repository_change_requests',
    ])
      assert.ok(ids.includes(id), id);
    const other = await h.newWorkspace('catalog-other');
    const theirs = published(
      'agentSkills.list',
      await h.request('GET', '/v1/agent_skills', { token: other.token }),
    );
    assert.ok(theirs.body.data.every((s: any) => s.workspace_id === other.id));
  });

  test('skill grants name operations Atoll publishes and serves', async () => {
    const doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    const served = new Set(
      Object.values(doc.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.operationId)),
    );
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const skills = (await h.request('GET', '/v1/agent_skills')).body.data;
    for (const skill of skills)
      for (const grant of skill.required_grants)
        for (const action of grant.actions)
          assert.ok(
            served.has(`${camel(grant.resource)}.${action}`),
            `${skill.id}: ${grant.resource}.${action}`,
          );
  });

  test('one skill by id, with its etag as the ETag header; an unknown id is 404', async () => {
    const res = published('agentSkills.get', await h.request('GET', '/v1/agent_skills/skl_turn_messages'));
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'skl_turn_messages');
    assert.equal(res.headers.get('etag'), `"${res.body.etag}"`);
    const listed = (await h.request('GET', '/v1/agent_skills')).body.data.find(
      (s: any) => s.id === 'skl_turn_messages',
    );
    assert.deepEqual(res.body, listed);
    const missing = published('agentSkills.get', await h.request('GET', '/v1/agent_skills/skl_nope'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errors[0].code, 7002);
    // An id that cannot exist names no skill, like one that does not (src/http/route-statuses.ts).
    const tooLong = await h.request('GET', `/v1/agent_skills/${'s'.repeat(55)}`);
    assert.equal(tooLong.status, 404);
    assert.deepEqual(tooLong.body.errors[0].path, ['path', 'id']);
  });

  test('pages follow next_cursor without repeating or skipping an entry', async () => {
    const all = (await h.request('GET', '/v1/agent_skills?limit=100')).body.data.map((s: any) => s.id);
    for (const limit of [1, 3, 4]) {
      const walked = (await walk(h, '/v1/agent_skills', 'agentSkills.list', limit)).map((s) => s.id);
      assert.deepEqual(walked, all, `limit ${limit}`);
    }
    const templates = (await h.request('GET', '/v1/agent_templates')).body.data.map((t: any) => t.id);
    const walked = (await walk(h, '/v1/agent_templates', 'agentTemplates.list', 1)).map((t) => t.id);
    assert.deepEqual(walked, templates);
  });

  test('bad list parameters are 400 naming the parameter', async () => {
    for (const url of ['/v1/agent_skills', '/v1/agent_templates']) {
      for (const [query, param] of [
        ['cursor=bm90LW91cnM', 'cursor'],
        ['limit=0', 'limit'],
        ['limit=x', 'limit'],
        ['sort=name', 'sort'],
      ]) {
        const res = await h.request('GET', `${url}?${query}`);
        assert.equal(res.status, 400, `${url}?${query}: ${res.text}`);
        assert.deepEqual(res.body.errors[0].path, ['query', param]);
      }
      // Above the published maximum of 100 a page is served at 100 (docs/api-conventions.md).
      assert.equal((await h.request('GET', `${url}?limit=101`)).status, 200);
    }
  });

  test('templates are listed and read with every published field; an unknown id is 404', async () => {
    const list = published('agentTemplates.list', await h.request('GET', '/v1/agent_templates'));
    assert.equal(list.status, 200);
    const ids = list.body.data.map((t: any) => t.id);
    assert.deepEqual(ids, [...ids].sort());
    for (const template of list.body.data) {
      const one = published(
        'agentTemplates.get',
        await h.request('GET', `/v1/agent_templates/${template.id}`),
      );
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, template);
      assert.equal(one.headers.get('etag'), `"${template.etag}"`);
      assert.equal(template.deployment.deploy_command, `atoll agent deploy ${template.deployment.source}`);
    }
    const missing = published('agentTemplates.get', await h.request('GET', '/v1/agent_templates/tpl_nope'));
    assert.equal(missing.status, 404);
  });

  test('every example agent is a template whose deployment matches its atoll.agent.toml', async () => {
    const templates = (await h.request('GET', '/v1/agent_templates')).body.data;
    const examples = fs
      .readdirSync(EXAMPLES)
      .filter((d) => fs.statSync(path.join(EXAMPLES, d)).isDirectory());
    assert.ok(examples.length >= 3);
    for (const dir of examples) {
      const source = `examples/agents/${dir}`;
      const template = templates.find((t: any) => t.deployment.source === source);
      assert.ok(template, `no template deploys ${source}`);
      const { config } = await readAgentToml(path.join(EXAMPLES, dir));
      assert.equal(template.deployment.name, config.name, source);
      assert.equal(template.deployment.mode, config.mode, source);
      // A turn runtime must be a job deployment (docs/agents.md "Deployment runtimes").
      if (template.deployment.runtime) assert.equal(config.mode, 'job', source);
    }
  });

  test('each template is an agent POST /v1/agents creates as it is', async () => {
    const templates = (await h.request('GET', '/v1/agent_templates')).body.data;
    for (const t of templates) {
      const body = {
        name: t.name,
        description: t.description,
        instructions: t.instructions,
        capabilities: t.capabilities,
        ambient: t.ambient,
        model_policy: t.model_policy,
      };
      const res = await h.request('POST', '/v1/agents', { body });
      assert.equal(res.status, 201, `${t.id}: ${res.text}`);
      assert.equal(res.body.instructions, t.instructions);
      assert.deepEqual(res.body.model_policy, t.model_policy);
    }
  });

  test('without a credential every catalogue operation is 401', async () => {
    for (const [operationId, url] of [
      ['agentSkills.list', '/v1/agent_skills'],
      ['agentSkills.get', '/v1/agent_skills/skl_turn_messages'],
      ['agentTemplates.list', '/v1/agent_templates'],
      ['agentTemplates.get', '/v1/agent_templates/tpl_hello_turn'],
    ] as const) {
      const res = published(operationId, await h.request('GET', url, { token: null }));
      assert.equal(res.status, 401);
    }
  });
});

describe('catalogue files', () => {
  function catalogWith(files: Record<string, unknown>): string {
    const dir = tempDir('atoll-catalog-');
    fs.mkdirSync(path.join(dir, 'skills'));
    fs.mkdirSync(path.join(dir, 'templates'));
    for (const [file, content] of Object.entries(files))
      fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
    return dir;
  }
  const skill = JSON.parse(fs.readFileSync(path.join(CATALOG_DIR, 'skills/skl_turn_messages.json'), 'utf8'));

  test('the shipped catalogue loads', () => {
    const catalog = loadCatalog();
    assert.ok(catalog.skills.length >= 10);
    assert.ok(catalog.templates.length >= 3);
  });

  test('a broken entry stops loading with a message naming the file and the field', () => {
    assert.throws(
      () =>
        loadCatalog(
          catalogWith({ 'skills/skl_turn_messages.json': { ...skill, supported_capabilities: ['DANCE'] } }),
        ),
      /skl_turn_messages\.json: supported_capabilities\.0: /,
    );
    assert.throws(
      () => loadCatalog(catalogWith({ 'skills/skl_turn_messages.json': { ...skill, colour: 'red' } })),
      /skl_turn_messages\.json: \(root\): Unrecognized key: "colour"/,
    );
    assert.throws(
      () => loadCatalog(catalogWith({ 'skills/skl_other.json': skill })),
      /must be its file name/,
    );
    assert.throws(() => loadCatalog(catalogWith({ 'skills/skl_x.json': '{' })), /skl_x\.json is not JSON/);
  });

  test("a template's agent part is checked as POST /v1/agents checks it", () => {
    const template = JSON.parse(
      fs.readFileSync(path.join(CATALOG_DIR, 'templates/tpl_hello_turn.json'), 'utf8'),
    );
    assert.throws(
      () =>
        loadCatalog(
          catalogWith({
            'templates/tpl_hello_turn.json': {
              ...template,
              model_policy: { ...template.model_policy, default_model: 'gpt-x' },
            },
          }),
        ),
      /tpl_hello_turn\.json: model_policy\.default_model: default_model must be one of allowed_models/,
    );
  });
});
