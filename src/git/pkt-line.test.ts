import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLUSH, parseReceivePackCommands, pktLine, PktLineError } from './pkt-line.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

test('reads every ref update up to the flush, with capabilities after the first NUL', () => {
  const data = Buffer.concat([
    pktLine(`${A} ${B} refs/heads/rcr/x\0report-status side-band-64k agent=git/2.39\n`),
    pktLine(`${Z} ${B} refs/heads/other\n`),
    FLUSH,
    Buffer.from('PACK....'),
  ]);
  const parsed = parseReceivePackCommands(data);
  assert.deepEqual(parsed, {
    complete: true,
    updates: [
      { oldSha: A, newSha: B, ref: 'refs/heads/rcr/x' },
      { oldSha: Z, newSha: B, ref: 'refs/heads/other' },
    ],
    length: data.length - 'PACK....'.length,
  });
});

test('asks for more bytes at every cut before the flush', () => {
  const data = Buffer.concat([pktLine(`${A} ${B} refs/heads/main\0caps`), FLUSH]);
  for (let cut = 0; cut < data.length; cut++) {
    assert.deepEqual(parseReceivePackCommands(data.subarray(0, cut)), { complete: false }, `cut at ${cut}`);
  }
  assert.equal(parseReceivePackCommands(data).complete, true);
});

test('skips shallow lines and reports deletions as a zero new id', () => {
  const parsed = parseReceivePackCommands(
    Buffer.concat([pktLine(`shallow ${A}`), pktLine(`${A} ${Z} refs/heads/gone\0caps`), FLUSH]),
  );
  assert.deepEqual(parsed.complete && parsed.updates, [{ oldSha: A, newSha: Z, ref: 'refs/heads/gone' }]);
});

test('refuses malformed lengths, special packets, signed pushes and lines that are not commands', () => {
  for (const bad of [
    Buffer.from('zzzz'),
    Buffer.from('0001'),
    Buffer.from('0003'),
    Buffer.concat([pktLine('push-cert\0caps'), FLUSH]),
    Buffer.concat([pktLine(`${A} refs/heads/main`), FLUSH]),
    Buffer.concat([pktLine(`${A.toUpperCase()} ${B} refs/heads/main`), FLUSH]),
  ]) {
    assert.throws(() => parseReceivePackCommands(bad), PktLineError, bad.toString('latin1'));
  }
});
