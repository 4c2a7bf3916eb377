import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { SendRateLimiter } from '../send-rate-limiter.js';

/** The per-user send rate on one node: a count per user for the current second. */
@Injectable()
export class MemorySendRateLimiter extends SendRateLimiter {
  /** Sends per user in the current second; cleared when the second changes, so it stays small. */
  private readonly userSends = new Map<string, number>();
  private userSendsSecond = 0;

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {
    super();
  }

  async admit(senders: readonly string[], now: number): Promise<boolean[]> {
    return senders.map((userId) => this.admitOne(userId, now));
  }

  /** Counts one send of `userId`; whether it is within the rate (synchronous, for the memory store). */
  admitOne(userId: string, now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.userSendsSecond) {
      this.userSends.clear();
      this.userSendsSecond = second;
    }
    const sends = (this.userSends.get(userId) ?? 0) + 1;
    this.userSends.set(userId, sends);
    return sends <= this.config.USER_RATE_LIMIT_PER_SECOND;
  }
}
