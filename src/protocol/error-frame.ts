import type { ChatErrorCode } from './chat-error-code.js';
import { MAX_REF_LENGTH } from './limits.js';

/** Serializes an `error` frame; `ref` and `details` are left out when absent. */
export function errorFrame(
  code: ChatErrorCode,
  message: string,
  ref?: string,
  details?: unknown,
): string {
  return JSON.stringify({ event: 'error', data: { code, message, ref, details } });
}

/** The request's `ref` if it is one the contract allows to echo (a string of at most MAX_REF_LENGTH characters). */
export function refOf(data: unknown): string | undefined {
  const ref = (data as { ref?: unknown } | null | undefined)?.ref;
  return typeof ref === 'string' && ref.length <= MAX_REF_LENGTH ? ref : undefined;
}
