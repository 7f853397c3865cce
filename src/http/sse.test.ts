import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatSseComment, formatSseFrame, SSE_HEADERS, sseResponse } from './sse.ts';

describe('the SSE writer', () => {
  test('a frame writes retry, id, event and data lines in that order and ends with a blank line', () => {
    assert.equal(
      formatSseFrame({ data: '{"a":1}', event: 'log', id: '7', retry: 1000 }),
      'retry: 1000\nid: 7\nevent: log\ndata: {"a":1}\n\n',
    );
    assert.equal(formatSseFrame({ retry: 1000 }), 'retry: 1000\n\n');
    assert.equal(formatSseFrame({ event: 'end', data: '{}' }), 'event: end\ndata: {}\n\n');
  });

  test('line breaks cannot end a field early: data splits into data lines, id and event become one line', () => {
    assert.equal(formatSseFrame({ data: 'a\nb\r\nc' }), 'data: a\ndata: b\ndata: c\n\n');
    assert.equal(formatSseFrame({ id: '1\n2', event: 'x\r\ny' }), 'id: 1 2\nevent: x y\n\n');
  });

  test('a comment is a keep-alive line clients ignore', () => {
    assert.equal(formatSseComment('heartbeat'), ': heartbeat\n\n');
  });

  test('a stream response is 200 with the one header set', async () => {
    const res = sseResponse(new ReadableStream({ start: (c) => c.close() }));
    assert.equal(res.status, 200);
    assert.deepEqual(Object.fromEntries(res.headers), SSE_HEADERS);
    assert.equal(await res.text(), '');
  });
});
