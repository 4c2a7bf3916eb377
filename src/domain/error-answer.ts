import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { RefusalLog } from '../observability/refusal-log.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { errorFrame, refOf } from '../protocol/error-frame.js';
import type { ChatSession } from './session.js';

/** One `error` answer to a client's frame: what went wrong, and the request it answers. */
export interface ErrorAnswer {
  code: ChatErrorCode;
  message: string;
  details?: unknown;
  /** The request's event, for the refusal log; undefined when the frame had none. */
  event?: string;
  /** The request's data: its `ref` is echoed when the contract allows it. */
  data?: unknown;
  /**
   * Whether the answer is written: false for a refusal counted past RATE_LIMIT_SILENT_AFTER. Defaults to
   * the session's `answersRefusals`.
   */
  answered?: boolean;
}

/**
 * The one place an `error` frame is written to a session, for the adapter's refusals and the gateway's
 * exception filter alike: counted in the errors metric, logged at debug unless it is `internal`, sent with
 * the request's `ref`, or only counted when the refusal window silences it.
 */
export class ErrorAnswers {
  constructor(
    private readonly metrics: ChatMetrics,
    private readonly refusals: RefusalLog,
  ) {}

  /** Counts, logs and (unless silenced) writes `answer` to `session`. */
  answer(session: ChatSession, answer: ErrorAnswer): void {
    const { code } = answer;
    this.metrics.errors.inc({ code });
    // An internal error is a fault, logged with its stack by whoever caught it, not a refusal.
    if (code !== ChatErrorCode.Internal) this.refusals.refused(answer.event, code, session.user.id);
    if (!(answer.answered ?? session.answersRefusals)) return;
    session.send(errorFrame(code, answer.message, refOf(answer.data), answer.details));
  }
}
