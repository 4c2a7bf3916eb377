/** A send or change the store refused, as a plain value: the domain turns it into the error the client gets. */
export type SendRefusal =
  | {
      refused: 'rate_limited';
      /** When the user may send again. */
      retryAfterMs: number;
    }
  /** A change whose id names no message of its conversation. */
  | { refused: 'not_found' }
  /** A change of someone else's message, or of a deleted one; `reason` says which. */
  | { refused: 'forbidden'; reason: string };

/** The refusal for a send over USER_RATE_LIMIT_PER_SECOND, retryable at the next second. */
export function userRateExceeded(now: number): SendRefusal {
  return { refused: 'rate_limited', retryAfterMs: 1000 - (now % 1000) };
}

/** Whether what the store made of a send is a refusal. */
export function isSendRefusal(result: object): result is SendRefusal {
  return 'refused' in result;
}
