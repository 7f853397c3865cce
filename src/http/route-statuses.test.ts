import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from './errors.ts';
import { fitToRoute } from './route-statuses.ts';

const at = (status: 'BAD_REQUEST' | 'INVALID_ARGUMENT', where: string[]) =>
  new ApiError(status, { message: `${where.join('.')}: wrong`, path: where }, { code: 'reason' });

describe('refusals fitted to the statuses a route declares', () => {
  test('a status the route declares stays', () => {
    const declared = new Set([400, 401, 422]);
    assert.equal(fitToRoute(at('INVALID_ARGUMENT', ['body', 'name']), declared).status, 'INVALID_ARGUMENT');
    assert.equal(fitToRoute(at('BAD_REQUEST', ['query', 'limit']), declared).status, 'BAD_REQUEST');
  });

  test('a 422 becomes 400 where only 400 is declared, and a 400 becomes 422 where only 422 is', () => {
    const body = fitToRoute(at('INVALID_ARGUMENT', ['body', 'name']), new Set([400, 401]));
    assert.equal(body.status, 'BAD_REQUEST');
    assert.deepEqual(body.details, [{ message: 'body.name: wrong', path: ['body', 'name'] }]);
    assert.equal(body.code, 'reason');
    assert.equal(
      fitToRoute(at('BAD_REQUEST', ['header', 'x']), new Set([401, 422])).status,
      'INVALID_ARGUMENT',
    );
  });

  test('a malformed path parameter is 404 where 404 is declared; a 422 about what the id names is not', () => {
    const declared = new Set([400, 404, 422]);
    assert.equal(fitToRoute(at('BAD_REQUEST', ['path', 'id']), declared).status, 'NOT_FOUND');
    assert.equal(fitToRoute(at('INVALID_ARGUMENT', ['path', 'id']), declared).status, 'INVALID_ARGUMENT');
    assert.equal(fitToRoute(at('BAD_REQUEST', ['path', 'id']), new Set([400])).status, 'BAD_REQUEST');
  });

  test('without a declared 400 or 422, or off an OpenAPI route, the status stays as raised', () => {
    assert.equal(fitToRoute(at('BAD_REQUEST', ['query', 'a']), new Set([401, 403])).status, 'BAD_REQUEST');
    assert.equal(fitToRoute(at('INVALID_ARGUMENT', ['body']), undefined).status, 'INVALID_ARGUMENT');
    const conflict = new ApiError('ALREADY_EXISTS', { message: 'taken' });
    assert.equal(fitToRoute(conflict, new Set([400])), conflict);
  });
});
