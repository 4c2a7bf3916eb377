import { Injectable } from '@nestjs/common';
import { Broker, type Delivery } from '../broker.js';

/** The one-node broker: a published batch goes straight to this node's listener. */
@Injectable()
export class MemoryBroker extends Broker {
  private listener: ((batch: readonly Delivery[]) => void) | undefined;

  async publish(batch: readonly Delivery[]): Promise<void> {
    this.listener?.(batch);
  }

  listen(listener: (batch: readonly Delivery[]) => void): void {
    this.listener = listener;
  }

  async watchRoom(): Promise<void> {}

  async unwatchRoom(): Promise<void> {}
}
