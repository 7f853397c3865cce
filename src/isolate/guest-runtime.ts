/**
 * The JavaScript installed in every isolate before user code runs: `console` (bounded here, in the
 * isolate: entries, entry size and total bytes, so a flood never reaches the host), `platform.request()`
 * (counted here, exactly, and forwarded to the host), optional determinism (fixed clock, seeded
 * Math.random), and the runner that calls the user's function and serialises its result to JSON inside
 * the isolate (size, nesting depth and storability checked there), so that only strings and numbers
 * ever cross back to the host. `WebAssembly` is removed: wasm memory is allocated outside the heap the
 * isolate's memory limit counts.
 *
 * It is evaluated with context.evalClosure(RUNTIME_SOURCE, [hostRequest, hostLog, configJson]) and
 * returns the runner. Every built-in it relies on is captured before user code can replace it, and
 * what it sends to the host is built from primitives on null-prototype objects, so no guest-defined
 * getter, prototype method or toJSON can change its shape or size.
 */

export const RUNTIME_SOURCE = String.raw`
'use strict';
const hostRequest = $0;
const hostLog = $1;
const config = JSON.parse($2);
const g = globalThis;
const apply = Reflect.apply;
const stringify = JSON.stringify;
const parse = JSON.parse;
const StringCtor = String;
const fromCharCode = String.fromCharCode;
const charCodeAt = String.prototype.charCodeAt;
const sliceString = String.prototype.slice;
const parseIntOf = parseInt;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const freeze = Object.freeze;
const create = Object.create;
const defineProperty = Object.defineProperty;
const hasOwn = Object.prototype.hasOwnProperty;

// Wasm memories live outside the heap the memory limit counts (a guest could grow one to 4 GiB).
delete g.WebAssembly;

const code = (s, i) => apply(charCodeAt, s, [i]);
const slice = (s, from, to) => apply(sliceString, s, [from, to]);

/** A plain record the host can read: null prototype, so JSON.stringify finds no guest toJSON on it. */
function record(fields) {
  const out = create(null);
  for (const key in fields) if (apply(hasOwn, fields, [key])) out[key] = fields[key];
  return out;
}

/**
 * s as text the host can store, within max UTF-8 bytes: NUL and unpaired surrogates become U+FFFD
 * (Postgres text and jsonb cannot hold them), and a longer text is cut with "…" (3 bytes). Reads at
 * most max + 1 units of s.
 */
function fit(s, max) {
  let out = '';
  let bytes = 0;
  let cut = -1;
  for (let i = 0; i < s.length; i++) {
    const c = code(s, i);
    let unit = fromCharCode(c);
    let width = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (c === 0) {
      unit = '\ufffd';
      width = 3;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < s.length ? code(s, i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        unit = fromCharCode(c, d);
        width = 4;
        i++;
      } else unit = '\ufffd';
    }
    if (cut < 0 && bytes + width > max - 3) cut = out.length;
    bytes += width;
    if (bytes > max) return slice(out, 0, cut) + '…';
    out += unit;
  }
  return out;
}

/** UTF-8 bytes of well-formed s (as fit returns it): a surrogate pair counts 3 + 1. */
function utf8Bytes(s) {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = code(s, i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xdc00 && c <= 0xdfff ? 1 : 3;
  }
  return bytes;
}

/** A value as console text (JSON for objects), a primitive string whatever the value does. */
function text(value) {
  if (typeof value === 'string') return value;
  try {
    const json = stringify(value);
    return json === undefined ? StringCtor(value) : json;
  } catch (e) {
    try { return StringCtor(value); } catch (e2) { return '[unprintable]'; }
  }
}

// Console limits hold here, in the isolate: past them a call costs a counter, never a host message.
const logs = { entries: 0, bytes: 0, dropped: 0, full: false };
function drop() {
  logs.dropped++;
  // The host learns of drops now and then (the exact count comes with the result).
  if (logs.dropped === 1 || logs.dropped % 1024 === 0) hostLog('dropped', logs.dropped);
}
function logger(level) {
  return function (...args) {
    if (logs.full || logs.entries >= config.logEntries) return drop();
    let message = '';
    try {
      for (let i = 0; i < args.length && message.length <= config.logEntryBytes; i++) {
        message += (i === 0 ? '' : ' ') + text(args[i]);
      }
    } catch (e) { message = '[unprintable]'; }
    message = fit(message, config.logEntryBytes);
    const bytes = utf8Bytes(message);
    if (logs.bytes + bytes > config.logBytes) { logs.full = true; return drop(); }
    logs.entries++;
    logs.bytes += bytes;
    hostLog(level, message);
  };
}
const consoleObject = freeze({
  log: logger('info'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug'),
});
defineProperty(g, 'console', { value: consoleObject, writable: false, configurable: false });

if (config.requests) {
  // Counted here, synchronously, so the limits hold exactly whatever the host's timing; the host checks again.
  const counters = { started: 0, inFlight: 0 };
  const fail = (name, message) => {
    const err = new ErrorCtor('platform.request: ' + message);
    err.name = name;
    return err;
  };
  const request = async function request(options) {
    if (counters.started >= config.maxRequests) {
      throw fail('PlatformRequestLimitError', 'at most ' + config.maxRequests + ' requests per run');
    }
    if (counters.inFlight >= config.maxConcurrent) {
      throw fail('PlatformRequestLimitError', 'at most ' + config.maxConcurrent + ' requests at once; await some before starting more');
    }
    let payload;
    try { payload = stringify(options === undefined ? null : options); } catch (e) {
      throw fail('PlatformRequestError', 'the request is not JSON-serialisable (' + text(e && e.message) + ')');
    }
    if (typeof payload !== 'string') throw fail('PlatformRequestError', 'pass an object {method, path, query?, body?, headers?}');
    counters.started++;
    counters.inFlight++;
    let reply;
    try {
      reply = parse(await hostRequest.apply(undefined, [payload], { arguments: { copy: true }, result: { promise: true, copy: true } }));
    } finally {
      counters.inFlight--;
    }
    if (!reply.ok) {
      const err = new ErrorCtor(reply.message);
      err.name = reply.name;
      throw err;
    }
    const response = reply.value;
    let body = response.body;
    if (response.json) {
      try { body = parse(body); } catch (e) { /* not JSON after all: the text */ }
    } else if (body === '') {
      body = null;
    }
    return { status: response.status, headers: response.headers, body };
  };
  defineProperty(g, 'platform', { value: freeze({ request }), writable: false, configurable: false });
}

if (config.determinism) {
  const fixedNow = config.determinism.nowMs;
  const RealDate = Date;
  const FrozenDate = function Date(...args) {
    if (!new.target) return new RealDate(fixedNow).toString();
    return args.length === 0 ? new RealDate(fixedNow) : new RealDate(...args);
  };
  FrozenDate.prototype = RealDate.prototype;
  FrozenDate.now = () => fixedNow;
  FrozenDate.parse = RealDate.parse;
  FrozenDate.UTC = RealDate.UTC;
  defineProperty(g, 'Date', { value: FrozenDate, writable: false, configurable: false });
  let state = config.determinism.seed >>> 0;
  const random = function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  defineProperty(Math, 'random', { value: random, writable: false, configurable: false });
}

/** A thrown value as {name, message, stack?}: bounded, storable text, whatever the guest threw. */
function describe(error) {
  const bounded = (value, max) => fit(StringCtor(value), max);
  try {
    if (error !== null && typeof error === 'object') {
      const name = bounded(error.name ?? 'Error', 256);
      const message = bounded(error.message ?? '', 8192);
      const stack = error.stack;
      return record({ name, message, stack: typeof stack === 'string' ? bounded(stack, 8192) : undefined });
    }
    return record({ name: 'Error', message: 'a non-Error value was thrown: ' + bounded(text(error), 1000) });
  } catch (e) {
    return record({ name: 'Error', message: 'an unreadable value was thrown' });
  }
}

function rejectValue(key, value) {
  const kind = typeof value;
  if (kind === 'function' || kind === 'symbol' || kind === 'bigint') {
    throw new TypeErrorCtor('the result contains a ' + kind + (key === '' ? '' : ' at "' + fit(StringCtor(key), 200) + '"') + ', which JSON cannot represent');
  }
  return value;
}

/**
 * What keeps JSON text (from JSON.stringify) from being a stored result, or undefined: nesting deeper
 * than max (a top-level object or array is 1), or a string holding U+0000 or an unpaired surrogate
 * (JSON.stringify writes both as \u escapes), which Postgres jsonb cannot hold.
 */
function unstorable(json, max) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = code(json, i);
    if (inString) {
      if (c === 34) inString = false;
      else if (c === 92) {
        if (code(json, i + 1) === 117) {
          const hex = slice(json, i + 2, i + 6);
          const unit = parseIntOf(hex, 16);
          if (unit === 0) return 'the result contains the character U+0000, which cannot be stored';
          if (unit >= 0xd800 && unit <= 0xdfff) return 'the result contains an unpaired surrogate (\\u' + hex + '), which is not valid Unicode';
          i += 5;
        } else i++;
      }
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return 'the result is nested deeper than ' + max + ' levels';
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

/** Failure text for the host: {code, message, details?} as JSON. */
function failure(code, message, details) {
  return stringify(record({ code, message, details }));
}

/**
 * The runner: [kind, logsDropped, text] where kind is "result" (text: the result's JSON), "undefined"
 * (the function returned undefined) or "error" (text: {code, message, details?} as JSON).
 */
return async function run(inputsJson) {
  const entry = apply(hasOwn, g, ['__atoll_entry']) ? g.__atoll_entry : undefined;
  delete g.__atoll_entry;
  if (typeof entry !== 'function') {
    return ['error', logs.dropped, failure('not_a_function', 'the code must evaluate to a function, e.g. async (inputs) => { … }')];
  }
  let result;
  try {
    result = await entry(parse(inputsJson));
  } catch (error) {
    const d = describe(error);
    const kind = d.name === 'PlatformRequestLimitError' ? 'request_limit_exceeded'
      : d.name === 'PlatformRequestError' ? 'request_rejected' : 'uncaught_exception';
    return ['error', logs.dropped, failure(kind, d.message, record({ name: d.name, stack: d.stack }))];
  }
  if (result === undefined) return ['undefined', logs.dropped, ''];
  const tooLarge = () => ['error', logs.dropped, failure('result_too_large', 'the result is larger than ' + config.resultBytes + ' bytes of JSON')];
  if (typeof result === 'string' && result.length > config.resultChars) return tooLarge();
  let json;
  try {
    json = stringify(result, rejectValue);
  } catch (error) {
    const message = describe(error).message;
    // JSON.stringify recurses: a result nested thousands deep overflows its stack before our check.
    if (error instanceof RangeErrorCtor && /call stack/i.test(message)) {
      return ['error', logs.dropped, failure('invalid_result', 'the result is nested deeper than ' + config.maxDepth + ' levels')];
    }
    return ['error', logs.dropped, failure('result_not_serializable', message)];
  }
  if (json === undefined) return ['error', logs.dropped, failure('result_not_serializable', 'the result has no JSON form')];
  if (json.length > config.resultChars) return tooLarge();
  const problem = unstorable(json, config.maxDepth);
  if (problem !== undefined) return ['error', logs.dropped, failure('invalid_result', problem)];
  return ['result', logs.dropped, json];
};
`;

/** Configuration the runtime reads from its third argument. */
export type RuntimeConfig = {
  requests: boolean;
  /** platform.request() calls per run, and at once. */
  maxRequests: number;
  maxConcurrent: number;
  resultBytes: number;
  /** The JSON result may not be longer than this many characters (≤ resultBytes bytes for ASCII). */
  resultChars: number;
  /** Deepest nesting of a result (a top-level object or array is 1). */
  maxDepth: number;
  /** Console: entries kept, UTF-8 bytes of one entry, UTF-8 bytes of all entries together. */
  logEntries: number;
  logEntryBytes: number;
  logBytes: number;
  determinism: { nowMs: number; seed: number } | undefined;
};

/** What the runner returns: see `run` in RUNTIME_SOURCE. */
export type RunnerReply = ['result' | 'undefined' | 'error', number, string];
