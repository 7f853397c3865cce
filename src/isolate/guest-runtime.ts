/**
 * The JavaScript installed in every isolate before user code runs: `console` (forwarded, bounded),
 * `platform.request()` (forwarded to the host), optional determinism (fixed clock, seeded
 * Math.random), and the runner that calls the user's function and serialises its result to JSON
 * inside the isolate, so that nothing but a string ever crosses back to the host.
 *
 * It is evaluated with context.evalClosure(RUNTIME_SOURCE, [hostRequest, hostLog, configJson]) and
 * returns the runner. Built-ins it relies on are captured before user code can replace them.
 */

export const RUNTIME_SOURCE = String.raw`
'use strict';
const hostRequest = $0;
const hostLog = $1;
const config = JSON.parse($2);
const g = globalThis;
const stringify = JSON.stringify;
const parse = JSON.parse;
const StringCtor = String;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const freeze = Object.freeze;
const defineProperty = Object.defineProperty;
const hasOwn = Object.prototype.hasOwnProperty;

function text(value) {
  if (typeof value === 'string') return value;
  try {
    const json = stringify(value);
    return json === undefined ? StringCtor(value) : json;
  } catch (e) {
    try { return StringCtor(value); } catch (e2) { return '[unprintable]'; }
  }
}

function logger(level) {
  return function (...args) {
    let message = '';
    try { message = args.map(text).join(' '); } catch (e) { message = '[unprintable]'; }
    if (message.length > config.logEntryChars) message = message.slice(0, config.logEntryChars) + '…';
    hostLog(level, message);
  };
}
const consoleObject = freeze({
  log: logger('info'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug'),
});
defineProperty(g, 'console', { value: consoleObject, writable: false, configurable: false });

if (config.requests) {
  const request = async function request(options) {
    let payload;
    try { payload = stringify(options === undefined ? null : options); } catch (e) {
      const err = new TypeErrorCtor('platform.request: the request is not JSON-serialisable (' + e.message + ')');
      err.name = 'PlatformRequestError';
      throw err;
    }
    const reply = parse(await hostRequest.apply(undefined, [payload], { arguments: { copy: true }, result: { promise: true, copy: true } }));
    if (!reply.ok) {
      const err = new ErrorCtor(reply.message);
      err.name = reply.name;
      throw err;
    }
    return reply.value;
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

function describe(error) {
  try {
    if (error !== null && typeof error === 'object') {
      const name = StringCtor(error.name ?? 'Error');
      return { name, message: StringCtor(error.message ?? ''), stack: typeof error.stack === 'string' ? error.stack.slice(0, 8192) : undefined };
    }
    return { name: 'Error', message: 'a non-Error value was thrown: ' + text(error).slice(0, 1000) };
  } catch (e) {
    return { name: 'Error', message: 'an unreadable value was thrown' };
  }
}

function rejectValue(key, value) {
  const kind = typeof value;
  if (kind === 'function' || kind === 'symbol' || kind === 'bigint') {
    throw new TypeErrorCtor('the result contains a ' + kind + (key === '' ? '' : ' at "' + key + '"') + ', which JSON cannot represent');
  }
  return value;
}

return async function run(inputsJson) {
  const entry = hasOwn.call(g, '__atoll_entry') ? g.__atoll_entry : undefined;
  delete g.__atoll_entry;
  if (typeof entry !== 'function') {
    return stringify({ ok: false, code: 'not_a_function', message: 'the code must evaluate to a function, e.g. async (inputs) => { … }' });
  }
  let result;
  try {
    result = await entry(parse(inputsJson));
  } catch (error) {
    const d = describe(error);
    const code = d.name === 'PlatformRequestLimitError' ? 'request_limit_exceeded'
      : d.name === 'PlatformRequestError' ? 'request_rejected' : 'uncaught_exception';
    return stringify({ ok: false, code, message: d.message, details: { name: d.name, stack: d.stack } });
  }
  if (result === undefined) return '{"ok":true,"undefined":true}';
  if (typeof result === 'string' && result.length > config.resultChars) {
    return stringify({ ok: false, code: 'result_too_large', message: 'the result is larger than ' + config.resultBytes + ' bytes of JSON' });
  }
  let json;
  try {
    json = stringify(result, rejectValue);
  } catch (error) {
    return stringify({ ok: false, code: 'result_not_serializable', message: describe(error).message });
  }
  if (json === undefined) return stringify({ ok: false, code: 'result_not_serializable', message: 'the result has no JSON form' });
  if (json.length > config.resultChars) {
    return stringify({ ok: false, code: 'result_too_large', message: 'the result is larger than ' + config.resultBytes + ' bytes of JSON' });
  }
  return '{"ok":true,"result":' + json + '}';
};
`;

/** Configuration the runtime reads from its third argument. */
export type RuntimeConfig = {
  requests: boolean;
  resultBytes: number;
  /** The JSON result may not be longer than this many characters (≤ resultBytes bytes for ASCII). */
  resultChars: number;
  logEntryChars: number;
  determinism: { nowMs: number; seed: number } | undefined;
};
