import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { ChatErrorCode } from '../protocol/chat-error-code.js';

/**
 * Logs each refused event at debug level, one structured line: event, error code, user. Never the frame's
 * text or any token. The level is read once: with debug off a refusal costs one boolean test.
 */
@Injectable()
export class RefusalLog {
  private readonly enabled: boolean;

  constructor(private readonly logger: PinoLogger) {
    logger.setContext('ChatGateway');
    this.enabled = logger.logger.isLevelEnabled('debug');
  }

  /** Logs that `user`'s `event` was refused with `code`; `event` is undefined when the frame had none (bad JSON). */
  refused(event: string | undefined, code: ChatErrorCode, user: string): void {
    if (!this.enabled) return;
    // A client chooses the event name: cut to the length a valid one may have, as the error message does.
    this.logger.debug({ event: event?.slice(0, 64), code, user }, 'refused');
  }
}
