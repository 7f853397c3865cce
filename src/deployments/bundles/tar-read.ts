/**
 * Reading an uncompressed tar held in memory, entry by entry, with tar-stream (ustar, pax and GNU
 * long names). Shared by the upload check (verify.ts) and extraction (materialize.ts).
 */
import tar from 'tar-stream';

/** A tar header; `type` is null for a typeflag tar-stream does not know (e.g. GNU sparse files). */
export type TarHeader = Omit<tar.Header, 'type' | 'linkname'> & {
  type: tar.Header['type'] | 'pax-global-header' | null;
  linkname: string | null;
};
export type TarEntry = { header: TarHeader; body: Buffer };

/** Thrown when the bytes are not a readable uncompressed tar. */
export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The entries of the tar in archive order, each with its whole content. */
export async function* readTar(bytes: Uint8Array): AsyncGenerator<TarEntry> {
  if (isGzip(bytes)) throw new TarFormatError('the bundle is gzip-compressed; send an uncompressed tar');
  const extract = tar.extract();
  extract.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      yield {
        header: entry.header as TarHeader,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      };
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw error;
    throw new TarFormatError(`not a readable tar: ${(error as Error).message}`, { cause: error });
  } finally {
    extract.destroy();
  }
}
