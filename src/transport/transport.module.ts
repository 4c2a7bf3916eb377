import { Global, Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry.js';
import { LocalFanout } from './local-fanout.js';

/** This node's sockets and the fan-out that writes to them. */
@Global()
@Module({ providers: [ConnectionRegistry, LocalFanout], exports: [ConnectionRegistry] })
export class TransportModule {}
