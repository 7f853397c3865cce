import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schemaProblems, validateValues } from '../engine/inputs.ts';
import { inferSchema, JSON_SCHEMA_2020_12, withDefaults } from './infer-schema.ts';

const VALUES = {
  replicaCount: 1,
  image: { repository: 'nginx', tag: '', pullPolicy: 'IfNotPresent' },
  ingress: { enabled: false, hosts: [{ host: 'a.local' }] },
  resources: {},
  nodeSelector: null,
  ratio: 0.5,
};

describe('inferring an input schema from values.yaml', () => {
  test('each value gets its type and its default; objects stay open', () => {
    const schema = inferSchema(VALUES);
    assert.equal(schema.$schema, JSON_SCHEMA_2020_12);
    assert.equal(schema.type, 'object');
    assert.match(String(schema.description), /values\.yaml/);
    assert.equal(schema.additionalProperties, undefined);
    assert.deepEqual(schema.properties, {
      replicaCount: { type: 'number', default: 1 },
      image: {
        type: 'object',
        properties: {
          repository: { type: 'string', default: 'nginx' },
          tag: { type: 'string', default: '' },
          pullPolicy: { type: 'string', default: 'IfNotPresent' },
        },
        default: VALUES.image,
      },
      ingress: {
        type: 'object',
        properties: {
          enabled: { type: 'boolean', default: false },
          hosts: { type: 'array', default: [{ host: 'a.local' }] },
        },
        default: VALUES.ingress,
      },
      resources: { type: 'object', properties: {}, default: {} },
      nodeSelector: { default: null },
      ratio: { type: 'number', default: 0.5 },
    });
  });

  test('the same values give the same schema, and it is a valid 2020-12 schema the values pass', () => {
    const schema = inferSchema(VALUES);
    assert.equal(JSON.stringify(inferSchema(structuredClone(VALUES))), JSON.stringify(schema));
    assert.deepEqual(schemaProblems(schema), []);
    const result = validateValues(schema, {});
    assert.ok(result.ok);
    assert.deepEqual(result.values.image, VALUES.image);
    // Keys values.yaml does not list are accepted; a wrong type is not.
    assert.ok(validateValues(schema, { extra: { anything: true } }).ok);
    assert.ok(!validateValues(schema, { replicaCount: 'two' }).ok);
  });
});

describe("filling a chart's own values schema with defaults", () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      replicaCount: { type: 'integer' },
      image: {
        type: 'object',
        properties: { repository: { type: 'string', default: 'custom' }, tag: { type: 'string' } },
      },
      ingress: {
        type: 'object',
        properties: {
          hosts: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' } } } },
        },
      },
      nodeSelector: { type: 'object' },
      notInValues: { type: 'string' },
    },
  };

  test('defaults come from values where the schema has none, recursing into properties only', () => {
    const filled = withDefaults(schema, VALUES) as any;
    assert.equal(filled.properties.replicaCount.default, 1);
    assert.equal(
      filled.properties.image.properties.repository.default,
      'custom',
      "the schema's own default stays",
    );
    assert.equal(filled.properties.image.properties.tag.default, '');
    assert.deepEqual(filled.properties.image.default, VALUES.image);
    assert.deepEqual(filled.properties.ingress.properties.hosts.default, [{ host: 'a.local' }]);
    assert.equal(filled.properties.ingress.properties.hosts.items.default, undefined, 'items are not filled');
    assert.equal('default' in filled.properties.nodeSelector, false, 'a null value is no default');
    assert.equal('default' in filled.properties.notInValues, false);
  });

  test('the schema given is not changed, and the result does not share the values', () => {
    const before = JSON.stringify(schema);
    const values = structuredClone(VALUES);
    const filled = withDefaults(schema, values) as any;
    assert.equal(JSON.stringify(schema), before);
    values.image.tag = 'changed';
    assert.equal(filled.properties.image.properties.tag.default, '');
  });
});
