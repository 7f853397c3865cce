/**
 * A failure as the guest runtime reports it (guest-runtime.ts builds it from bounded strings), read
 * as untrusted all the same: only known codes, strings, and details of two strings cross to the host.
 */
import type { ExecutionError, ExecutionErrorCode } from './types.ts';

const GUEST_CODES = new Set<ExecutionErrorCode>([
  'not_a_function',
  'uncaught_exception',
  'request_limit_exceeded',
  'request_rejected',
  'result_too_large',
  'result_not_serializable',
  'invalid_result',
]);

/** The runtime's failure text (`{code, message, details?}` as JSON) as an ExecutionError. */
export function guestFailure(text: string): ExecutionError {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) parsed = value as typeof parsed;
  } catch {
    // Fall through to the generic failure below.
  }
  const code = GUEST_CODES.has(parsed.code as ExecutionErrorCode)
    ? (parsed.code as ExecutionErrorCode)
    : 'uncaught_exception';
  const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 8192) : 'the run failed';
  const raw = parsed.details;
  if (raw === null || typeof raw !== 'object') return { code, message };
  const { name, stack } = raw as Record<string, unknown>;
  return {
    code,
    message,
    details: {
      name: typeof name === 'string' ? name.slice(0, 256) : 'Error',
      ...(typeof stack === 'string' ? { stack: stack.slice(0, 8192) } : {}),
    },
  };
}
