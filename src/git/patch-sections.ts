/**
 * Splitting `git diff -p` output, read as a stream, into one section per file pair (each starts with a
 * `diff --git ` line), keeping at most so many bytes of each and of all together. Content lines of a
 * patch start with ` `, `+`, `-`, `\` or `@@`, so a line starting `diff --git ` is always a header.
 * Only the first bytes of each line are ever held back (to recognise a header split across chunks), so
 * memory stays within the caps however long the lines or the patch.
 */

const HEADER = Buffer.from('diff --git ');
const NEWLINE = 0x0a;

/** One file pair's part of the patch, cut at a line end when it was cut short. */
export type PatchSection = { patch: string; truncated: boolean };

export type SectionCaps = {
  /** Bytes kept of one section. */
  maxSectionBytes: number;
  /** Bytes kept of all sections together. */
  maxTotalBytes: number;
  /** Sections wanted; the stream is stopped when the next one begins. */
  maxSections: number;
  /** Bytes read at most, kept or not (a guard against enormous diffs). */
  maxReadBytes: number;
};

type Open = { chunks: Buffer[]; bytes: number; truncated: boolean };

export class PatchSplitter {
  readonly #caps: SectionCaps;
  readonly #sections: Open[] = [];
  #kept = 0;
  #read = 0;
  #atLineStart = true;
  #pending: Buffer = Buffer.alloc(0);

  constructor(caps: SectionCaps) {
    this.#caps = caps;
  }

  /** Takes the next chunk of output; `'stop'` once nothing more would be kept. */
  push(chunk: Buffer): 'stop' | void {
    this.#read += chunk.length;
    const buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    let i = 0;
    while (i < buf.length) {
      if (this.#atLineStart) {
        const available = buf.length - i;
        if (available < HEADER.length && HEADER.subarray(0, available).equals(buf.subarray(i))) {
          this.#pending = Buffer.from(buf.subarray(i));
          break;
        }
        if (buf.subarray(i, i + HEADER.length).equals(HEADER)) {
          if (this.#sections.length >= this.#caps.maxSections) return 'stop';
          this.#sections.push({ chunks: [], bytes: 0, truncated: false });
        }
      }
      const newline = buf.indexOf(NEWLINE, i);
      const end = newline === -1 ? buf.length : newline + 1;
      this.#keep(buf.subarray(i, end));
      this.#atLineStart = newline !== -1;
      i = end;
    }
    if (this.#kept >= this.#caps.maxTotalBytes || this.#read >= this.#caps.maxReadBytes) {
      // The section being read may go on past this point: it is incomplete as far as anyone can tell.
      const last = this.#sections.at(-1);
      if (last) last.truncated = true;
      return 'stop';
    }
  }

  /** The sections read, in order; those cut short end at their last complete line. */
  sections(): PatchSection[] {
    if (this.#pending.length > 0) {
      this.#keep(this.#pending);
      this.#pending = Buffer.alloc(0);
    }
    return this.#sections.map((s) => {
      let patch = Buffer.concat(s.chunks);
      if (s.truncated) {
        const lastLine = patch.lastIndexOf(NEWLINE);
        if (lastLine !== -1) patch = patch.subarray(0, lastLine + 1);
      }
      return { patch: patch.toString('utf8'), truncated: s.truncated };
    });
  }

  /** Keeps what fits of `part` in the current section (text before the first header is dropped). */
  #keep(part: Buffer): void {
    const section = this.#sections.at(-1);
    if (!section || section.truncated) return;
    const room = Math.min(this.#caps.maxSectionBytes - section.bytes, this.#caps.maxTotalBytes - this.#kept);
    const taken = part.length <= room ? part : part.subarray(0, Math.max(room, 0));
    if (taken.length < part.length) section.truncated = true;
    if (taken.length === 0) return;
    section.chunks.push(Buffer.from(taken));
    section.bytes += taken.length;
    this.#kept += taken.length;
  }
}
