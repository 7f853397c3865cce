import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

const valid = { name: 'Audit', code: 'async () => 1', display_type: 'table' };
const input = (key: string) => ({ key, label: key, kind: 'boolean' });

/** Each create body breaks one rule; the 422 must name exactly that field. */
const CREATE_CASES: Array<[string, object, string]> = [
  ['a name of 101 characters', { ...valid, name: 'n'.repeat(101) }, 'body.name'],
  ['an empty name', { ...valid, name: '' }, 'body.name'],
  ['a description of 501 characters', { ...valid, description: 'd'.repeat(501) }, 'body.description'],
  ['code of 50,001 characters', { ...valid, code: 'x'.repeat(50_001) }, 'body.code'],
  ['empty code', { ...valid, code: '' }, 'body.code'],
  ['an unknown display_type', { ...valid, display_type: 'chart' }, 'body.display_type'],
  ['a missing display_type', { name: 'a', code: 'b' }, 'body.display_type'],
  ['17 inputs', { ...valid, inputs: Array.from({ length: 17 }, (_, i) => input(`k${i}`)) }, 'body.inputs'],
  ['an input key with a capital', { ...valid, inputs: [input('Env')] }, 'body.inputs.0.key'],
  ['an input key of 33 characters', { ...valid, inputs: [input(`k${'x'.repeat(32)}`)] }, 'body.inputs.0.key'],
  ['a duplicate input key', { ...valid, inputs: [input('env'), input('env')] }, 'body.inputs.1.key'],
  [
    'an enum default not among its options',
    { ...valid, inputs: [{ key: 'e', label: 'E', kind: 'enum', options: ['a', 'b'], default: 'c' }] },
    'body.inputs.0.default',
  ],
  [
    'an enum without options',
    { ...valid, inputs: [{ key: 'e', label: 'E', kind: 'enum', options: [] }] },
    'body.inputs.0.options',
  ],
  [
    'a number default above max',
    { ...valid, inputs: [{ key: 'n', label: 'N', kind: 'number', max: 3, default: 4 }] },
    'body.inputs.0.default',
  ],
  [
    'a number min above max',
    { ...valid, inputs: [{ key: 'n', label: 'N', kind: 'number', min: 4, max: 3 }] },
    'body.inputs.0.min',
  ],
  [
    'a text default longer than max_length',
    { ...valid, inputs: [{ key: 't', label: 'T', kind: 'text', max_length: 2, default: 'abc' }] },
    'body.inputs.0.default',
  ],
  [
    'a text max_length of 501',
    { ...valid, inputs: [{ key: 't', label: 'T', kind: 'text', max_length: 501 }] },
    'body.inputs.0.max_length',
  ],
  [
    'a time range default ending before it starts',
    { ...valid, inputs: [{ key: 'w', label: 'W', kind: 'time_range', default: { from: 2, to: 1 } }] },
    'body.inputs.0.default',
  ],
  [
    'a list default on a single resource input',
    { ...valid, inputs: [{ key: 'c', label: 'C', kind: 'resource', resource: 'cluster', default: ['a'] }] },
    'body.inputs.0.default',
  ],
  [
    'a resource input without its resource',
    { ...valid, inputs: [{ key: 'c', label: 'C', kind: 'resource' }] },
    'body.inputs.0.resource',
  ],
  [
    'an unknown input kind',
    { ...valid, inputs: [{ key: 'c', label: 'C', kind: 'date' }] },
    'body.inputs.0.kind',
  ],
  ['an unknown input field', { ...valid, inputs: [{ ...input('b'), hint: 'x' }] }, 'body.inputs.0.hint'],
  ['an unknown field', { ...valid, colour: 'blue' }, 'body.colour'],
  ['an unknown visibility', { ...valid, visibility: 'public' }, 'body.visibility'],
  ['an agent_turn_id of 55 characters', { ...valid, agent_turn_id: 't'.repeat(55) }, 'body.agent_turn_id'],
  [
    'result_type without the rest of the contract',
    { ...valid, result_type: 'table', default_visualization: 'table' },
    'body.result_contract_version',
  ],
  [
    'a result_contract_version other than 1',
    { ...valid, result_contract_version: 2, result_type: 'table', default_visualization: 'table' },
    'body.result_contract_version',
  ],
];

describe('snippet request limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  for (const [what, body, field] of CREATE_CASES) {
    test(`create with ${what} is 422 naming ${field}`, async () => {
      const res = await h.request('POST', '/v1/snippets', { body });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(
        res.body.errors.map((e: any) => e.path.join('.')),
        [field],
      );
    });
  }

  test('every problem of one body is reported, not just the first', async () => {
    const res = await h.request('POST', '/v1/snippets', {
      body: { ...valid, name: '', code: '', extra: 1 },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors.map((e: any) => e.path.join('.')).sort(), [
      'body.code',
      'body.extra',
      'body.name',
    ]);
  });

  test('the limits themselves are accepted: 100-character name, 500-character description, 50,000 characters of code, 16 inputs', async () => {
    const res = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'n'.repeat(100),
        description: 'd'.repeat(500),
        code: 'x'.repeat(50_000),
        display_type: 'logs',
        inputs: Array.from({ length: 16 }, (_, i) => input(`k${i}`)),
      },
    });
    assert.equal(res.status, 201, res.text);
  });

  test('update accepts only the fields the spec lets it change', async () => {
    const created = await h.request('POST', '/v1/snippets', { body: valid });
    const id = created.body.snippet_id;
    for (const [body, field] of [
      [{ origin: 'agent' }, 'body.origin'],
      [{ agent_session_id: 'ags_1' }, 'body.agent_session_id'],
      [{ name: 'n'.repeat(101) }, 'body.name'],
      [{ code: '' }, 'body.code'],
      [{ inputs: [input('A')] }, 'body.inputs.0.key'],
    ] as const) {
      const res = await h.request('PATCH', `/v1/snippets/${id}`, { headers: { 'if-match': '1' }, body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(
        res.body.errors.map((e: any) => e.path.join('.')),
        [field],
      );
    }
  });

  test('a path id no snippet can have is 404; bad query and header values are 400; all name the field', async () => {
    const longId = await h.request('GET', `/v1/snippets/${'s'.repeat(55)}`);
    assert.equal(longId.status, 404);
    assert.deepEqual(longId.body.errors[0].path, ['path', 'id']);
    const limit = await h.request('GET', '/v1/snippets?limit=0');
    assert.equal(limit.status, 400);
    assert.deepEqual(limit.body.errors[0].path, ['query', 'limit']);
    const state = await h.request('GET', '/v1/snippet_runs?state=running');
    assert.equal(state.status, 400);
    assert.deepEqual(state.body.errors[0].path, ['query', 'state']);
    const ifMatch = await h.request('DELETE', '/v1/snippets/snp_x', { headers: { 'if-match': '' } });
    assert.equal(ifMatch.status, 400);
    assert.deepEqual(ifMatch.body.errors[0].path, ['header', 'if-match']);
  });
});
