/** What a Nest application imports to run Switchboard inside itself. */
export {
  appConfig,
  InvalidConfigurationError,
  type AppConfig,
  type SwitchboardOptions,
} from './config/app-config.js';
export { DefaultIdentityProvider } from './auth/default-identity-provider.js';
export { HandshakeRejection } from './auth/handshake-rejection.js';
export type { Identity } from './auth/identity.js';
export { IdentityProvider } from './auth/identity-provider.js';
export { DefaultRoomPolicy } from './domain/rooms/default-room-policy.js';
export { RoomPolicy, type RoomRefusal, type RoomVerdict } from './domain/rooms/room-policy.js';
export type { User } from './protocol/chat.events.js';
export {
  SwitchboardModule,
  type ExtensionProvider,
  type SwitchboardExtensions,
  type SwitchboardModuleAsyncOptions,
  type SwitchboardModuleOptions,
} from './switchboard.module.js';
export { useSwitchboard } from './switchboard.setup.js';
