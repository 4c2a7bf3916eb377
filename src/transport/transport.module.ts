import { Global, Module } from '@nestjs/common';
import { SessionDirectory } from '../domain/session.js';
import { NodeSessions } from '../engine/node-sessions.js';
import { ConnectionRegistry } from './connection-registry.js';
import { LocalFanout } from './local-fanout.js';

/** This node's sockets and the fan-out that writes to them; the registry provides the domain's and the engine's ports. */
@Global()
@Module({
  providers: [
    ConnectionRegistry,
    LocalFanout,
    { provide: SessionDirectory, useExisting: ConnectionRegistry },
    { provide: NodeSessions, useExisting: ConnectionRegistry },
  ],
  exports: [ConnectionRegistry, SessionDirectory, NodeSessions],
})
export class TransportModule {}
