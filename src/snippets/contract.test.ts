import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkResultContract, type ResultContractTrio, type ResultType } from './contract.ts';

const trio = (type: ResultType): ResultContractTrio => ({
  result_contract_version: 1,
  result_type: type,
  default_visualization: 'json',
});
const LEGACY: ResultContractTrio = {
  result_contract_version: null,
  result_type: null,
  default_visualization: null,
};
const v1 = { contract_version: 1 };
const series = [{ key: 'cpu_usage', label: 'CPU', unit: '%' }];

/** A valid output of each type, and invalid variants with the path of the problem each must report. */
const CASES: Record<ResultType, { valid: object; invalid: Array<[object, string]> }> = {
  scalar: {
    valid: { ...v1, type: 'scalar', value: 3, unit: 'pods', history: [{ timestamp: 1, value: null }] },
    invalid: [
      [{ ...v1, type: 'scalar' }, 'value'],
      [{ ...v1, type: 'scalar', value: 's'.repeat(16385) }, 'value'],
      [{ ...v1, type: 'scalar', value: { n: 1 } }, 'value'],
      [{ ...v1, type: 'scalar', value: 1, history: Array(2001).fill({ timestamp: 1, value: 1 }) }, 'history'],
      [{ ...v1, type: 'scalar', value: 1, unit: '' }, 'unit'],
    ],
  },
  timeseries: {
    valid: { ...v1, type: 'timeseries', series, points: [{ timestamp: 10, values: [0.5] }] },
    invalid: [
      [{ ...v1, type: 'timeseries', series: [], points: [] }, 'series'],
      [{ ...v1, type: 'timeseries', series: Array(9).fill(series[0]), points: [] }, 'series'],
      [{ ...v1, type: 'timeseries', series: [{ key: 'CPU', label: 'c' }], points: [] }, 'series.0.key'],
      [{ ...v1, type: 'timeseries', series, points: [{ timestamp: -1, values: [] }] }, 'points.0.timestamp'],
      [
        { ...v1, type: 'timeseries', series, points: [{ timestamp: 1, values: Array(9).fill(1) }] },
        'points.0.values',
      ],
    ],
  },
  categorical: {
    valid: {
      ...v1,
      type: 'categorical',
      series,
      categories: [{ key: 'a', label: 'A' }],
      values: [[1, null]],
    },
    invalid: [
      [
        { ...v1, type: 'categorical', series, categories: [{ key: 'a_', label: 'A' }], values: [] },
        'categories.0.key',
      ],
      [{ ...v1, type: 'categorical', series, categories: [], values: [['x']] }, 'values.0.0'],
      [{ ...v1, type: 'categorical', series, values: [] }, 'categories'],
    ],
  },
  table: {
    valid: {
      ...v1,
      type: 'table',
      columns: [
        { key: 'name', label: 'Name', kind: 'text' },
        { key: 'cpu', label: 'CPU', kind: 'number', unit: 'm' },
        { key: 'ready', label: 'Ready', kind: 'boolean' },
        { key: 'seen', label: 'Seen', kind: 'timestamp' },
        { key: 'url', label: 'URL', kind: 'link' },
      ],
      rows: [
        ['a', 1, true, 1700000000, 'https://x'],
        [null, null, null, null, null],
      ],
    },
    invalid: [
      [{ ...v1, type: 'table', columns: [], rows: [] }, 'columns'],
      [
        { ...v1, type: 'table', columns: Array(33).fill({ key: 'a', label: 'A', kind: 'text' }), rows: [] },
        'columns',
      ],
      [
        { ...v1, type: 'table', columns: [{ key: 'a', label: 'A', kind: 'text', unit: 'x' }], rows: [] },
        'columns.0',
      ],
      [
        { ...v1, type: 'table', columns: [{ key: 'a', label: 'A', kind: 'date' }], rows: [] },
        'columns.0.kind',
      ],
      [
        {
          ...v1,
          type: 'table',
          columns: [{ key: 'a', label: 'A', kind: 'text' }],
          rows: Array(501).fill([]),
        },
        'rows',
      ],
      [
        { ...v1, type: 'table', columns: [{ key: 'a', label: 'A', kind: 'text' }], rows: [[[1]]] },
        'rows.0.0',
      ],
    ],
  },
  status_list: {
    valid: {
      ...v1,
      type: 'status_list',
      items: [{ key: 'api', label: 'API', severity: 'success', detail: 'ok', timestamp: 1, link: '/x' }],
    },
    invalid: [
      [
        { ...v1, type: 'status_list', items: [{ key: 'api', label: 'API', severity: 'error' }] },
        'items.0.severity',
      ],
      [
        { ...v1, type: 'status_list', items: Array(201).fill({ key: 'a', label: 'A', severity: 'info' }) },
        'items',
      ],
      [
        { ...v1, type: 'status_list', items: [{ key: 'a', label: 'A', severity: 'info', link: '' }] },
        'items.0.link',
      ],
    ],
  },
  logs: {
    valid: { ...v1, type: 'logs', entries: [{ message: 'started', timestamp: 1, level: 'info' }] },
    invalid: [
      [{ ...v1, type: 'logs', entries: [{ message: '' }] }, 'entries.0.message'],
      [{ ...v1, type: 'logs', entries: [{ message: 'm'.repeat(4097) }] }, 'entries.0.message'],
      [{ ...v1, type: 'logs', entries: Array(1001).fill({ message: 'm' }) }, 'entries'],
      [{ ...v1, type: 'logs', entries: [{ message: 'm', level: 'l'.repeat(33) }] }, 'entries.0.level'],
    ],
  },
  json: {
    valid: { ...v1, type: 'json', value: null },
    invalid: [
      [{ ...v1, type: 'json' }, 'value'],
      [{ ...v1, type: 'json', value: 1, extra: true }, ''],
      [{ contract_version: 2, type: 'json', value: 1 }, 'contract_version'],
    ],
  },
};

describe('checkResultContract', () => {
  test('a legacy snippet accepts any output', () => {
    for (const output of [undefined, null, 'text', 42, [1, 2], { type: 'table' }, CASES.table.valid]) {
      assert.deepEqual(checkResultContract(LEGACY, output), { ok: true });
    }
  });

  for (const [type, { valid, invalid }] of Object.entries(CASES) as Array<
    [ResultType, (typeof CASES)[ResultType]]
  >) {
    test(`a valid ${type} output passes`, () => {
      assert.deepEqual(checkResultContract(trio(type), valid), { ok: true });
    });

    test(`invalid ${type} outputs are violations naming the offending path`, () => {
      for (const [output, path] of invalid) {
        const result = checkResultContract(trio(type), output);
        assert.equal(result.ok, false, JSON.stringify(output).slice(0, 80));
        if (result.ok) continue;
        assert.equal(result.error.code, 'result_contract_violation');
        assert.match(result.error.message, new RegExp(`result_type "${type}"`));
        assert.ok(
          result.error.details.some((d) => d.path.join('.') === path),
          `${path} in ${JSON.stringify(result.error.details)}`,
        );
      }
    });
  }

  test('an output of another type than the declared result_type is a violation at "type"', () => {
    const result = checkResultContract(trio('table'), CASES.scalar.valid);
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(
        result.error.details.map((d) => d.path),
        [['type']],
      );
  });

  test('a contract snippet returning a bare value or nothing is a violation', () => {
    for (const output of [undefined, null, 42, 'text', [CASES.json.valid]]) {
      const result = checkResultContract(trio('json'), output);
      assert.equal(result.ok, false, String(output));
    }
  });

  test('the violation lists every problem, not only the first', () => {
    const result = checkResultContract(trio('logs'), {
      ...v1,
      type: 'logs',
      entries: [{ message: '' }, { level: 1 }],
    });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(result.error.details.map((d) => d.path.join('.')).sort(), [
        'entries.0.message',
        'entries.1.level',
        'entries.1.message',
      ]);
      assert.match(result.error.message, /and 2 more/);
    }
  });
});
