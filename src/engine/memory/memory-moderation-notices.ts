import { Injectable } from '@nestjs/common';
import { ModerationNotices, type ModerationChange } from '../moderation-store.js';

/** The one-node notices: a change goes straight to this node's listener. */
@Injectable()
export class MemoryModerationNotices extends ModerationNotices {
  private listener: ((change: ModerationChange) => void) | undefined;

  async publish(change: ModerationChange): Promise<void> {
    this.listener?.(change);
  }

  listen(listener: (change: ModerationChange) => void): void {
    this.listener = listener;
  }
}
