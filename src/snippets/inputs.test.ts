import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../http/errors.ts';
import { assertDescriptors, validateRunInputs, type InputDescriptor } from './inputs.ts';

const DESCRIPTORS: InputDescriptor[] = [
  { key: 'window', label: 'Window', kind: 'time_range', default: { from: 100, to: 200 } },
  { key: 'cluster', label: 'Cluster', kind: 'resource', resource: 'cluster', required: true },
  { key: 'regions', label: 'Regions', kind: 'resource', resource: 'region', multiple: true },
  { key: 'env', label: 'Env', kind: 'enum', options: ['dev', 'prod'], default: 'dev' },
  { key: 'verbose', label: 'Verbose', kind: 'boolean', default: false },
  { key: 'limit', label: 'Limit', kind: 'number', min: 1, max: 100 },
  { key: 'query', label: 'Query', kind: 'text', max_length: 5 },
  { key: 'note', label: 'Note', kind: 'text' },
];

/** The paths of the problems `fn` throws (a 422 ApiError), or fails when it throws none. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.httpStatus, 422);
    return error.details.map((d) => d.path!.join('.'));
  }
  assert.fail('expected a 422');
}

describe('validateRunInputs', () => {
  test('given values of every kind are kept and defaults fill the rest', () => {
    const values = validateRunInputs(DESCRIPTORS, {
      cluster: 'clu_1',
      regions: ['eu', 'us'],
      env: 'prod',
      limit: 100,
      query: 'abcde',
      note: 'n'.repeat(500),
      window: { from: 5, to: 5 },
      verbose: true,
    });
    assert.deepEqual(values, {
      window: { from: 5, to: 5 },
      cluster: 'clu_1',
      regions: ['eu', 'us'],
      env: 'prod',
      verbose: true,
      limit: 100,
      query: 'abcde',
      note: 'n'.repeat(500),
    });
  });

  test('defaults apply to inputs not given, or given as null; optional inputs without default stay absent', () => {
    const values = validateRunInputs(DESCRIPTORS, { cluster: 'clu_1', env: null });
    assert.deepEqual(values, {
      window: { from: 100, to: 200 },
      cluster: 'clu_1',
      env: 'dev',
      verbose: false,
    });
  });

  test('no descriptors and no inputs is an empty call', () => {
    assert.deepEqual(validateRunInputs([], undefined), {});
  });

  test('an unknown key is named', () => {
    assert.deepEqual(
      problems(() => validateRunInputs(DESCRIPTORS, { cluster: 'c', colour: 'red' })),
      ['body.inputs.colour'],
    );
  });

  test('a required input without value or default is named', () => {
    assert.deepEqual(
      problems(() => validateRunInputs(DESCRIPTORS, {})),
      ['body.inputs.cluster'],
    );
  });

  test('a required input is satisfied by its default', () => {
    const d: InputDescriptor[] = [{ key: 'on', label: 'On', kind: 'boolean', required: true, default: true }];
    assert.deepEqual(validateRunInputs(d, {}), { on: true });
  });

  const WRONG: Array<[string, unknown]> = [
    ['window', { from: 1 }],
    ['window', { from: 1.5, to: 2 }],
    ['window', { from: 1, to: 2, tz: 'UTC' }],
    ['window', { from: 3, to: 2 }],
    ['window', [1, 2]],
    ['cluster', 42],
    ['cluster', ['clu_1']],
    ['cluster', 'c'.repeat(256)],
    ['regions', 'eu'],
    ['regions', []],
    ['regions', Array.from({ length: 101 }, (_, i) => `r${i}`)],
    ['regions', ['eu', 7]],
    ['env', 'staging'],
    ['env', 1],
    ['verbose', 'true'],
    ['limit', '5'],
    ['limit', 0],
    ['limit', 101],
    ['query', 'abcdef'],
    ['query', 5],
    ['note', 'n'.repeat(501)],
  ];
  for (const [key, value] of WRONG) {
    test(`${key} = ${JSON.stringify(value).slice(0, 40)} is rejected naming inputs.${key}`, () => {
      assert.deepEqual(
        problems(() => validateRunInputs(DESCRIPTORS, { cluster: 'clu_1', [key]: value })),
        [`body.inputs.${key}`],
      );
    });
  }

  test('every violation is reported together, each at its key', () => {
    const paths = problems(() =>
      validateRunInputs(DESCRIPTORS, { unknown: 1, env: 'staging', limit: 1000, window: { from: 9, to: 1 } }),
    );
    assert.deepEqual(paths.sort(), [
      'body.inputs.cluster',
      'body.inputs.env',
      'body.inputs.limit',
      'body.inputs.unknown',
      'body.inputs.window',
    ]);
  });
});

describe('assertDescriptors', () => {
  test('a consistent list passes', () => {
    assert.doesNotThrow(() => assertDescriptors(DESCRIPTORS));
  });

  test('every inconsistency is reported with its index and field', () => {
    const paths = problems(() =>
      assertDescriptors([
        { key: 'a', label: 'A', kind: 'enum', options: ['x'], default: 'y' },
        { key: 'a', label: 'A again', kind: 'boolean' },
        { key: 'n', label: 'N', kind: 'number', min: 5, max: 1, default: 0 },
        { key: 't', label: 'T', kind: 'text', max_length: 1, default: 'ab' },
        { key: 'w', label: 'W', kind: 'time_range', default: { from: 2, to: 1 } },
        { key: 'r', label: 'R', kind: 'resource', resource: 'install', multiple: true, default: 'inst_1' },
        { key: 's', label: 'S', kind: 'resource', resource: 'install', default: ['inst_1'] },
      ]),
    );
    assert.deepEqual(paths, [
      'body.inputs.0.default',
      'body.inputs.1.key',
      'body.inputs.2.min',
      'body.inputs.2.default',
      'body.inputs.3.default',
      'body.inputs.4.default',
      'body.inputs.5.default',
      'body.inputs.6.default',
    ]);
  });

  test('a number default within min and max, and a text default within max_length, pass', () => {
    assert.doesNotThrow(() =>
      assertDescriptors([
        { key: 'n', label: 'N', kind: 'number', min: 1, max: 1, default: 1 },
        { key: 't', label: 'T', kind: 'text', max_length: 2, default: 'ab' },
      ]),
    );
  });
});
