import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32, newId } from './ids.ts';

test('ids are the prefix plus 26 lowercase base32 characters and do not repeat', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const id = newId('ws');
    assert.match(id, /^ws_[a-z2-7]{26}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 5000);
});

test('base32 follows RFC 4648 in lowercase without padding', () => {
  assert.equal(base32(Buffer.from('foobar')), 'mzxw6ytboi');
  assert.equal(base32(Buffer.from('f')), 'my');
});
