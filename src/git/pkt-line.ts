/**
 * Reads the ref-update commands at the start of a receive-pack request (git's pkt-line framing:
 * 4 hex digits of length, then the payload; `0000` ends the list), so that a push can be refused by
 * ref before any of it reaches git. Parsed the way receive-pack parses them: `<old> <new> <ref>`,
 * capabilities after a NUL, `shallow <sha>` lines skipped. Anything else is a protocol error.
 */

/** One ref update a push asks for. */
export type RefUpdate = { oldSha: string; newSha: string; ref: string };

/** The command list is not valid pkt-line, or uses something we do not accept (a signed push). */
export class PktLineError extends Error {
  override name = 'PktLineError';
}

export type CommandsParse =
  /** More bytes are needed. */
  | { complete: false }
  /** The list and the number of bytes it took (the pack follows). */
  | { complete: true; updates: RefUpdate[]; length: number };

const COMMAND = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (.+)$/s;
const HEX4 = /^[0-9a-f]{4}$/;

/** Parses the command list at the start of `data`, or says that more bytes are needed. */
export function parseReceivePackCommands(data: Buffer): CommandsParse {
  const updates: RefUpdate[] = [];
  let at = 0;
  for (;;) {
    if (data.length < at + 4) return { complete: false };
    const lengthText = data.toString('latin1', at, at + 4);
    if (!HEX4.test(lengthText)) throw new PktLineError(`bad pkt-line length ${JSON.stringify(lengthText)}`);
    const length = parseInt(lengthText, 16);
    if (length === 0) return { complete: true, updates, length: at + 4 };
    if (length < 4) throw new PktLineError(`unexpected special packet ${lengthText} in the command list`);
    if (data.length < at + length) return { complete: false };
    let payload = data.subarray(at + 4, at + length);
    at += length;
    if (payload.at(-1) === 0x0a) payload = payload.subarray(0, -1);
    const nul = payload.indexOf(0);
    const line = payload.toString('utf8', 0, nul >= 0 ? nul : payload.length);
    if (line.startsWith('shallow ')) continue;
    if (line.startsWith('push-cert')) throw new PktLineError('signed pushes are not supported');
    const match = COMMAND.exec(line);
    if (!match) throw new PktLineError(`not a ref update command: ${JSON.stringify(line.slice(0, 200))}`);
    updates.push({ oldSha: match[1]!, newSha: match[2]!, ref: match[3]! });
  }
}

/** A pkt-line with `payload` (for tests and for writing protocol messages). */
export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export const FLUSH = Buffer.from('0000');
