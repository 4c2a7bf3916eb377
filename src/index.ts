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
export {
  SwitchboardModule,
  type ExtensionProvider,
  type SwitchboardExtensions,
  type SwitchboardModuleAsyncOptions,
  type SwitchboardModuleOptions,
} from './switchboard.module.js';
export { useSwitchboard } from './switchboard.setup.js';
export {
  ChatPublisher,
  MAX_CLOSE_REASON_BYTES,
  MAX_HISTORY_LIMIT,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type BanOptions,
  type Deleted,
  type DeleteOptions,
  type HistoryQuery,
  type ModerationBy,
  type MuteOptions,
  type PublishOptions,
  type Published,
} from './domain/publisher/chat-publisher.js';
export type {
  ModerationRecord,
  RoomModerationReport,
  UserModerationReport,
} from './domain/moderation/moderation-request.js';
export { ChatException } from './domain/chat.exception.js';
export { ChatErrorCode } from './protocol/chat-error-code.js';
export { CloseCode } from './protocol/close-code.js';
export { SERVER_SENDER_PREFIX, isServerSenderId } from './protocol/server-sender.js';
export { customEventNameProblem, RESERVED_EVENT_NAMES } from './protocol/custom-event.js';
export type { ChatMessage, DirectMessage, ModerationNotice, User } from './protocol/chat.events.js';
