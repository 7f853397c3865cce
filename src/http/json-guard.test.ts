import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath, jsonProblems, MAX_JSON_DEPTH, textProblem } from './json-guard.ts';

/** `{"a":{"a":…}}` with `levels` objects, parsed (JSON.parse is iterative, so any depth is fine). */
const nested = (levels: number): unknown =>
  JSON.parse('{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1));

describe('JSON guard', () => {
  test('plain JSON has no problems', () => {
    const value = JSON.parse('{"name":"Ada ✓ 😀","n":[1,2,{"x":null,"y":true}],"e":"\\ud83d\\ude00"}');
    assert.deepEqual(jsonProblems(value), []);
    for (const scalar of [null, 1, true, 'text', '😀']) assert.deepEqual(jsonProblems(scalar), []);
  });

  test('U+0000 in a string value is named by its path', () => {
    const [problem, ...rest] = jsonProblems(JSON.parse('{"metadata":{"a":"x\\u0000y"}}'));
    assert.deepEqual(rest, []);
    assert.equal(problem!.kind, 'nul');
    assert.deepEqual(problem!.path, ['metadata', 'a']);
    assert.equal(problem!.key, false);
    assert.match(problem!.message, /U\+0000/);
  });

  test('U+0000 in an object key is named by the key, and the key is marked as the fault', () => {
    const [problem] = jsonProblems(JSON.parse('{"metadata":{"a\\u0000b":1}}'));
    assert.equal(problem!.kind, 'nul');
    assert.deepEqual(problem!.path, ['metadata', 'a\u0000b']);
    assert.equal(problem!.key, true);
    assert.equal(formatPath(problem!, 'body'), 'metadata["a\\u0000b"]');
  });

  test('lone surrogates in values, keys and array items are found; pairs are fine', () => {
    const value = JSON.parse('{"a":"x\\ud800y","\\udc00":1,"list":["ok","\\udbff"],"pair":"\\ud83d\\ude00"}');
    const found = jsonProblems(value).map((p) => [p.kind, p.path.join('/'), p.key]);
    assert.deepEqual(found.sort(), [
      ['lone_surrogate', 'a', false],
      ['lone_surrogate', 'list/1', false],
      ['lone_surrogate', '\udc00', true],
    ]);
    assert.equal(textProblem('x\ud800'), 'lone_surrogate');
    assert.equal(textProblem('a\u0000'), 'nul');
    assert.equal(textProblem('😀'), undefined);
  });

  test(`nesting is accepted up to MAX_JSON_DEPTH (${MAX_JSON_DEPTH}) levels, the top level counting as 1`, () => {
    assert.equal(MAX_JSON_DEPTH, 64);
    assert.deepEqual(jsonProblems(nested(MAX_JSON_DEPTH)), []);
    const [problem, ...rest] = jsonProblems(nested(MAX_JSON_DEPTH + 1));
    assert.deepEqual(rest, []);
    assert.equal(problem!.kind, 'too_deep');
    assert.match(problem!.message, /deeper than 64 levels/);
    // Arrays count like objects.
    assert.deepEqual(jsonProblems(JSON.parse('['.repeat(64) + ']'.repeat(64))), []);
    assert.equal(jsonProblems(JSON.parse('['.repeat(65) + ']'.repeat(65)))[0]!.kind, 'too_deep');
  });

  test('a value nested 100,000 deep is refused without recursion, its path cut to the first levels', () => {
    const value = nested(100_000);
    const [problem] = jsonProblems({ metadata: value });
    assert.equal(problem!.kind, 'too_deep');
    assert.deepEqual(problem!.path, ['metadata', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
    assert.equal(problem!.truncated, true);
    assert.equal(formatPath(problem!, 'body'), 'metadata.a.a.a.a.a.a.a…');
  });

  test('the depth limit can be set per use', () => {
    assert.deepEqual(jsonProblems({ a: { b: 1 } }, { maxDepth: 2 }), []);
    assert.equal(jsonProblems({ a: { b: {} } }, { maxDepth: 2 })[0]!.kind, 'too_deep');
  });

  test('problems are capped, so a body full of them costs no more than a clean one', () => {
    const value = { list: Array.from({ length: 10_000 }, () => 'x\u0000') };
    assert.equal(jsonProblems(value).length, 20);
    assert.equal(jsonProblems(value, { maxProblems: 1 }).length, 1);
  });

  test('a very long key is cut in the path it is reported under', () => {
    const key = `${'k'.repeat(1000)}\u0000`;
    const [problem] = jsonProblems({ [key]: 1 });
    assert.equal(problem!.path[0]!.length, 129);
    assert.ok(problem!.path[0]!.endsWith('…'));
  });
});
