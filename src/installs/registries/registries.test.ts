import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadEnvKey, openValues } from '../../lib/seal.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { assertPublished } from '../../testing/published-api.ts';
import { normalizeRegistryUrl } from './service.ts';

const published = assertPublished;

describe('registry connections', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const list = async (query = '', token: string | null = h.token) =>
    published(
      'registry.listCredentials',
      await h.request('GET', `/v1/registry_connections${query}`, { token }),
    );
  const create = async (body: unknown, token: string | null = h.token) =>
    published(
      'registry.createCredential',
      await h.request('POST', '/v1/registry_connections', { body, token }),
    );
  const remove = async (id: string, token: string | null = h.token) =>
    published(
      'registry.deleteCredential',
      await h.request('DELETE', `/v1/registry_connections/${id}`, { token }),
    );
  const rows = () =>
    h.atoll.database.db.selectFrom('registry_connections').selectAll().orderBy('seq').execute();

  test('create returns the credential without its secrets; they are stored sealed, bound to the id', async () => {
    const res = await create({
      name: 'GitHub Container Registry',
      registry_url: 'oci://GHCR.io/acme/',
      type: 'basic',
      credentials: { username: 'robot', password: 'p4ssw0rd-never-shown' },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'id',
      'is_active',
      'last_used_at',
      'name',
      'registry_url',
      'type',
    ]);
    assert.match(res.body.id, /^rgc_[a-z2-7]{26}$/);
    assert.equal(res.body.registry_url, 'ghcr.io/acme');
    assert.equal(res.body.type, 'basic');
    assert.equal(res.body.is_active, true);
    assert.equal(res.body.last_used_at, null);
    assert.ok(!res.text.includes('p4ssw0rd'));

    const [row] = (await rows()).filter((r) => r.id === res.body.id);
    assert.ok(!JSON.stringify(row).includes('p4ssw0rd'), 'the stored row holds no secret in the clear');
    const key = loadEnvKey(h.config.agents.envKey, h.config.dataDir);
    assert.deepEqual(openValues(key, res.body.id, row!.credentials), {
      username: 'robot',
      password: 'p4ssw0rd-never-shown',
    });
    assert.equal(openValues(key, 'rgc_other', row!.credentials), undefined, 'bound to its connection id');

    const listed = await list();
    assert.equal(listed.status, 200);
    assert.ok(!listed.text.includes('p4ssw0rd'));
    assert.deepEqual(listed.body.data[0], res.body);
  });

  test('lists go newest first and page with a cursor', async () => {
    const a = await create({
      name: 'a',
      registry_url: '127.0.0.1:5000',
      type: 'token',
      credentials: { token: 't' },
    });
    const b = await create({
      name: 'b',
      registry_url: '[::1]:5000',
      type: 'token',
      credentials: { token: 't' },
    });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    assert.equal(b.body.registry_url, '[::1]:5000');
    const first = await list('?limit=1');
    assert.deepEqual(
      first.body.data.map((c: { id: string }) => c.id),
      [b.body.id],
    );
    assert.equal(first.body.has_more, true);
    const second = await list(`?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    assert.deepEqual(
      second.body.data.map((c: { id: string }) => c.id),
      [a.body.id],
    );
  });

  test('a registry the workspace already has is 409 naming body.registry_url; another workspace may add it', async () => {
    const body = {
      name: 'dup',
      registry_url: 'registry.example.com',
      type: 'token',
      credentials: { token: 'x' },
    };
    assert.equal((await create(body)).status, 201);
    const before = (await rows()).length;
    const dup = await create({ ...body, registry_url: 'https://Registry.Example.com/' });
    assert.equal(dup.status, 409, dup.text);
    assert.deepEqual(dup.body.errors[0].path, ['body', 'registry_url']);
    assert.equal((await rows()).length, before, 'nothing written');
    const other = await h.newWorkspace('registries-other');
    assert.equal((await create(body, other.token)).status, 201);
  });

  test('bad bodies are 422 naming the field, and nothing is written', async () => {
    const base = {
      name: 'n',
      registry_url: 'r.example.com',
      type: 'basic',
      credentials: { username: 'u', password: 'sekret-value-9' },
    };
    const cases: Array<[unknown, string[]]> = [
      [
        {
          ...base,
          type: 'oauth',
          credentials: { client_id: 'c', client_secret: 's', token_url: 'https://t' },
        },
        ['body', 'type'],
      ],
      [{ ...base, type: 'ldap' }, ['body', 'type']],
      [{ ...base, credentials: { username: 'u' } }, ['body', 'credentials', 'password']],
      [
        { ...base, credentials: { username: 'u', password: 'p', token: 't' } },
        ['body', 'credentials', 'token'],
      ],
      [
        { ...base, type: 'token', credentials: { token: 't', username: 'u' } },
        ['body', 'credentials', 'username'],
      ],
      [{ ...base, credentials: { username: 'u', password: 'p', extra: 'x' } }, ['body', 'credentials']],
      [{ ...base, registry_url: 'https://user:pw@r.example.com' }, ['body', 'registry_url']],
      [{ ...base, registry_url: 'r.example.com/?x=1' }, ['body', 'registry_url']],
      [{ ...base, registry_url: 'ftp://r.example.com' }, ['body', 'registry_url']],
      [{ ...base, registry_url: '' }, ['body', 'registry_url']],
      [{ ...base, name: '' }, ['body', 'name']],
      [{ ...base, surprise: true }, ['body']],
    ];
    const before = (await rows()).length;
    for (const [body, path] of cases) {
      const res = await create(body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
      assert.deepEqual(res.body.errors[0].path.slice(0, path.length), path, JSON.stringify(body));
      assert.ok(!res.text.includes('sekret-value-9'), 'no secret echoed');
    }
    assert.equal((await rows()).length, before);
  });

  test('delete is 204 and then 404; another workspace can neither see nor delete it', async () => {
    const made = await create({
      name: 'gone',
      registry_url: 'gone.example.com',
      type: 'token',
      credentials: { token: 'x' },
    });
    const other = await h.newWorkspace('registries-stranger');
    assert.ok(!(await list('', other.token)).body.data.some((c: { id: string }) => c.id === made.body.id));
    const stranger = await remove(made.body.id, other.token);
    assert.equal(stranger.status, 404);
    assert.equal((await remove(made.body.id)).status, 204);
    assert.equal((await remove(made.body.id)).status, 404);
    assert.ok(!(await list()).body.data.some((c: { id: string }) => c.id === made.body.id));
  });

  test('without a token: 401', async () => {
    assert.equal((await list('', null)).status, 401);
    assert.equal((await create({}, null)).status, 401);
  });

  test('registry addresses normalise to host[:port][/path]', () => {
    assert.equal(normalizeRegistryUrl('ghcr.io'), 'ghcr.io');
    assert.equal(normalizeRegistryUrl('oci://GHCR.IO/Org/Charts/'), 'ghcr.io/Org/Charts');
    assert.equal(normalizeRegistryUrl('http://127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(normalizeRegistryUrl('https://registry.example.com:443'), 'registry.example.com');
  });
});
