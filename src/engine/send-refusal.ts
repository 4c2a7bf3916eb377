/** A send the store refused, as a plain value: the domain turns it into the error the client gets. */
export interface SendRefusal {
  refused: 'rate_limited';
  /** When the user may send again. */
  retryAfterMs: number;
}

/** The refusal for a send over USER_RATE_LIMIT_PER_SECOND, retryable at the next second. */
export function userRateExceeded(now: number): SendRefusal {
  return { refused: 'rate_limited', retryAfterMs: 1000 - (now % 1000) };
}

/** Whether what the store made of a send is a refusal. */
export function isSendRefusal(result: object): result is SendRefusal {
  return 'refused' in result;
}
