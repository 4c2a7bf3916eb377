import { Global, Module } from '@nestjs/common';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { MemoryMessageStore } from './memory/memory-message-store.js';
import { MemoryPresenceStore } from './memory/memory-presence-store.js';
import { MessageStore } from './message-store.js';
import { PresenceStore } from './presence-store.js';

/** Binds the engine seam (MessageStore, Broker, PresenceStore) to an implementation; memory by default. */
@Global()
@Module({
  providers: [
    { provide: MessageStore, useClass: MemoryMessageStore },
    { provide: Broker, useClass: MemoryBroker },
    { provide: PresenceStore, useClass: MemoryPresenceStore },
  ],
  exports: [MessageStore, Broker, PresenceStore],
})
export class EngineModule {}
