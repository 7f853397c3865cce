import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadMigrations, migrate } from '../../db/migrate.ts';
import { install, publish } from '../../installs/test-fixtures.ts';
import { openTestDatabase, startHarness, type Harness } from '../../testing/harness.ts';
import { assertPublished, checkPublishedResponse } from '../../testing/published-api.ts';

const published = assertPublished;

describe('regions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const list = async (query = '', token: string | null = h.token) =>
    published('regions.list', await h.request('GET', `/v1/regions${query}`, { token }));
  const create = async (body: unknown, token: string | null = h.token) =>
    published('regions.create', await h.request('POST', '/v1/regions', { body, token }));

  test('the bootstrap workspace has the region local from the start', async () => {
    const res = await list();
    assert.equal(res.status, 200);
    const local = res.body.data.find((r: { id: string }) => r.id === 'local');
    assert.deepEqual(Object.keys(local).sort(), ['created_at', 'icon', 'id', 'name', 'workspace_id']);
    assert.equal(local.name, 'local');
    assert.equal(local.icon, null);
    assert.equal(local.workspace_id, h.workspaceId);
    assert.ok(Number.isInteger(local.created_at) && local.created_at > 1_700_000_000);
  });

  test('a workspace created later has its own local region and none of the others', async () => {
    await create({ name: 'only-in-default' });
    const other = await h.newWorkspace('regions-later');
    const res = await list('', other.token);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((r: { id: string; name: string; workspace_id: string }) => [
        r.id,
        r.name,
        r.workspace_id,
      ]),
      [['local', 'local', other.id]],
    );
  });

  test('create returns the Region; lists go newest first and page with a cursor', async () => {
    const res = await create({ name: 'us-east-1', icon: 'https://example.com/flags/us.svg' });
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^reg_[a-z2-7]{26}$/);
    assert.equal(res.body.name, 'us-east-1');
    assert.equal(res.body.icon, 'https://example.com/flags/us.svg');
    assert.equal(res.body.workspace_id, h.workspaceId);
    const second = await create({ name: 'eu-west-1' });
    assert.equal(second.body.icon, null);

    const first = await list('?limit=1');
    assert.deepEqual(
      first.body.data.map((r: { id: string }) => r.id),
      [second.body.id],
    );
    assert.equal(first.body.has_more, true);
    const next = await list(`?limit=1&cursor=${first.body.next_cursor}`);
    assert.deepEqual(
      next.body.data.map((r: { id: string }) => r.id),
      [res.body.id],
    );
    const all = await list('?limit=100');
    assert.equal(all.body.has_more, false);
    assert.equal(all.body.next_cursor, null);
    assert.equal(all.body.data.at(-1).id, 'local', 'the oldest region is local');
  });

  test('a name the workspace already uses is 422 naming body.name; another workspace may use it', async () => {
    await create({ name: 'ap-south-1' });
    for (const name of ['ap-south-1', 'local']) {
      const dup = await create({ name });
      assert.equal(dup.status, 422);
      assert.deepEqual(dup.body.errors[0].path, ['body', 'name']);
      assert.equal(dup.body.errors[0].metadata.reason, 'already_exists');
      assert.match(dup.body.errors[0].message, new RegExp(`"${name}" already exists`));
    }
    const other = await h.newWorkspace('regions-dup');
    assert.equal((await create({ name: 'ap-south-1' }, other.token)).status, 201);
  });

  test('of two concurrent creates with one name, one is created and the other is 422', async () => {
    const results = await Promise.all([create({ name: 'race' }), create({ name: 'race' })]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 422]);
    const names = (await list('?limit=100')).body.data.map((r: { name: string }) => r.name);
    assert.equal(names.filter((n: string) => n === 'race').length, 1);
  });

  test('bad bodies are 422 naming the field', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['body', 'name']],
      [{ name: '' }, ['body', 'name']],
      [{ name: 'x'.repeat(101) }, ['body', 'name']],
      [{ name: 7 }, ['body', 'name']],
      [{ name: 'ok', icon: 'not a url' }, ['body', 'icon']],
      [{ name: 'ok', icon: 'javascript:alert(1)' }, ['body', 'icon']],
      [{ name: 'ok', icon: `https://example.com/${'a'.repeat(240)}` }, ['body', 'icon']],
      [{ name: 'ok', colour: 'red' }, ['body', 'colour']],
    ];
    for (const [body, path] of cases) {
      const res = await create(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(res.body.errors[0].path, path, JSON.stringify(body));
    }
  });

  test('without a credential 401; naming another workspace in akua-context 403', async () => {
    assert.equal((await list('', null)).status, 401);
    assert.equal((await create({ name: 'x' }, null)).status, 401);
    const other = await h.newWorkspace('regions-403');
    const res = await h.request('GET', '/v1/regions', { headers: { 'akua-context': other.id } });
    assert.equal(published('regions.list', res).status, 403);
    const post = await h.request('POST', '/v1/regions', {
      headers: { 'akua-context': other.id },
      body: { name: 'x' },
    });
    assert.equal(published('regions.create', post).status, 403);
  });

  test('a malformed page query is 400 naming it, a status the published list omits', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?cursor=nope', 'cursor'],
    ]) {
      const res = await h.request('GET', `/v1/regions${query}`);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors[0].path, ['query', field]);
      assert.deepEqual(checkPublishedResponse('regions.list', res.status, res.body), [
        'regions.list answered 400, which the published document does not list',
      ]);
    }
  });

  test('installs name a region of their workspace by id, and carry it', async () => {
    const region = await create({ name: 'install-target' });
    const { packageId } = await publish(h, { name: 'regional' });
    const inst = await install(h, packageId, {}, { region_id: region.body.id });
    assert.equal(inst.region_id, region.body.id);
    assert.equal((await install(h, packageId)).region_id, 'local');

    const other = await h.newWorkspace('regions-install');
    const foreign = await create({ name: 'foreign' }, other.token);
    for (const regionId of [foreign.body.id, 'install-target', 'nowhere']) {
      const res = await h.request('POST', '/v1/installs', {
        body: { package_id: packageId, package_version_pin: { kind: 'latest' }, region_id: regionId },
      });
      assert.equal(res.status, 422, regionId);
      assert.deepEqual(res.body.errors[0].path, ['body', 'region_id']);
      assert.match(res.body.errors[0].message, /not found in this workspace; GET \/v1\/regions/);
      // installs.create publishes no 4xx but 401 and 403; Atoll answers its body checks with 422.
      assert.deepEqual(checkPublishedResponse('installs.create', res.status, res.body), [
        'installs.create answered 422, which the published document does not list',
      ]);
    }
  });

  test('deleting a workspace removes its regions with its installs', async () => {
    const other = await h.newWorkspace('regions-delete');
    const region = await create({ name: 'doomed' }, other.token);
    const { packageId } = await publish(h, { name: 'doomed' }, other.token);
    const res = await h.request('POST', '/v1/installs', {
      token: other.token,
      body: { package_id: packageId, package_version_pin: { kind: 'latest' }, region_id: region.body.id },
    });
    assert.equal(res.status, 202, res.text);
    const ws = await h.request('GET', `/v1/workspaces/${other.id}`, { token: other.token });
    const del = await h.request('DELETE', `/v1/workspaces/${other.id}`, {
      token: other.token,
      headers: { 'if-match': ws.body.etag },
    });
    assert.equal(del.status, 202, del.text);
    const left = await h.database.db
      .selectFrom('regions')
      .select('id')
      .where('workspace_id', '=', other.id)
      .execute();
    assert.deepEqual(left, []);
  });
});

describe('the regions migration', () => {
  test('gives every existing workspace the region local', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const all = loadMigrations();
      await migrate(
        database,
        all.filter((m) => m.version < 11),
      );
      await sql`INSERT INTO workspaces (id, name, slug, created_by) VALUES ('ws_old1', 'a', 'old-a', 't'), ('ws_old2', 'b', 'old-b', 't')`.execute(
        database.db,
      );
      await migrate(database, all);
      const rows = await database.db
        .selectFrom('regions')
        .select(['workspace_id', 'id', 'name', 'icon'])
        .orderBy('workspace_id')
        .execute();
      assert.deepEqual(rows, [
        { workspace_id: 'ws_old1', id: 'local', name: 'local', icon: null },
        { workspace_id: 'ws_old2', id: 'local', name: 'local', icon: null },
      ]);
    } finally {
      await drop();
    }
  });
});
