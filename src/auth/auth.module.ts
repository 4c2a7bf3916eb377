import { Global, Module } from '@nestjs/common';
import { HandshakeAuthenticator } from './handshake-authenticator.js';

/** Identity at the upgrade; the per-event guards are plain injectables bound on the gateway. */
@Global()
@Module({ providers: [HandshakeAuthenticator], exports: [HandshakeAuthenticator] })
export class AuthModule {}
