/**
 * A git request body as a Node stream: capped in size, and inflated here when git sent it gzipped
 * (git compresses fetch requests), so that git http-backend and the push checks both see plain bytes
 * and the cap applies to what was sent and to what it inflates to.
 */
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** The body (as sent, or once inflated) is larger than the limit. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  readonly limit: number;

  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

export type BodyEncoding = 'identity' | 'gzip';

/** The encoding named by a Content-Encoding header, or undefined when it is not one we accept. */
export function bodyEncoding(header: string | undefined): BodyEncoding | undefined {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  return undefined;
}

function cap(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLargeError(limit));
      else callback(null, chunk);
    },
  });
}

/** The body's bytes (inflated when gzipped), failing with BodyTooLargeError past `limit`. */
export function requestBody(
  body: ReadableStream<Uint8Array>,
  encoding: BodyEncoding,
  limit: number,
): Readable {
  const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream> = [Readable.fromWeb(body), cap(limit)];
  if (encoding === 'gzip') stages.push(createGunzip(), cap(limit));
  // With a callback, pipeline returns the last stream; an error in any stage destroys them all with it.
  return pipeline(
    stages as [NodeJS.ReadableStream, ...NodeJS.ReadWriteStream[]],
    () => {},
  ) as unknown as Readable;
}
