import { BackendUnavailableError } from './backend-unreachable.js';

/**
 * Rejects when `promise` has not settled within `ms`, as an outage (`BackendUnavailableError`, naming
 * `backend`): for a request that must not wait on a backend that stopped answering without closing.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, backend: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendUnavailableError(`${backend} did not answer within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
