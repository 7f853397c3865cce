/**
 * The zip reader against archives written here byte by byte (the format's own layout, stored and
 * deflated), including the ways an archive can be wrong: a missing entry, a damaged CRC, an unknown method.
 * The real archive it exists for (the helm layer zip) is read in helm-binary.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { readZipEntry, ZipError } from './zip-entry.ts';

type Entry = { name: string; data: Buffer; method?: 0 | 8 | 12; crc?: number };

/** A zip of `entries` in the classic (non-zip64) layout, with an optional archive comment. */
function makeZip(entries: Entry[], comment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const method = entry.method ?? 8;
    const body = method === 8 ? zlib.deflateRawSync(entry.data) : entry.data;
    const name = Buffer.from(entry.name);
    const crc = entry.crc ?? zlib.crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...locals, directory, end, Buffer.from(comment)]);
}

const binary = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));

describe('readZipEntry', () => {
  test('reads a deflated entry and a stored one by name, past other entries and a trailing comment', () => {
    const zip = makeZip(
      [
        { name: 'helm/', data: Buffer.alloc(0), method: 0 },
        { name: 'helm/helm', data: binary },
        { name: 'kubectl/kubectl', data: Buffer.from('#!/bin/sh\n'), method: 0 },
      ],
      'a comment at the end',
    );
    assert.deepEqual(readZipEntry(zip, 'helm/helm'), binary);
    assert.equal(readZipEntry(zip, 'kubectl/kubectl').toString(), '#!/bin/sh\n');
  });

  test('an entry that is not there is a ZipError naming it', () => {
    const zip = makeZip([{ name: 'kubectl/kubectl', data: binary }]);
    assert.throws(() => readZipEntry(zip, 'helm/helm'), { name: 'ZipError', message: /helm\/helm: not in/ });
  });

  test('data that does not match its CRC-32 is refused', () => {
    const zip = makeZip([{ name: 'helm/helm', data: binary, crc: (zlib.crc32(binary) ^ 1) >>> 0 }]);
    assert.throws(() => readZipEntry(zip, 'helm/helm'), { name: 'ZipError', message: /CRC-32 mismatch/ });
  });

  test('an unknown compression method and a file that is not a zip are refused', () => {
    const bzip2 = makeZip([{ name: 'helm/helm', data: binary, method: 12 }]);
    assert.throws(() => readZipEntry(bzip2, 'helm/helm'), /compression method 12/);
    assert.throws(() => readZipEntry(Buffer.from('not a zip at all, just some text here'), 'x'), ZipError);
  });

  test('deflated data longer than the directory says is refused', () => {
    const zip = makeZip([{ name: 'helm/helm', data: binary }]);
    const directoryAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(binary.length - 1, directoryAt + 24);
    assert.throws(() => readZipEntry(zip, 'helm/helm'), ZipError);
  });
});
