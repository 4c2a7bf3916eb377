/** What a Nest application imports to run Switchboard inside itself. */
export {
  appConfig,
  InvalidConfigurationError,
  type AppConfig,
  type SwitchboardOptions,
} from './config/app-config.js';
export {
  SwitchboardModule,
  type SwitchboardModuleAsyncOptions,
  type SwitchboardModuleOptions,
} from './switchboard.module.js';
export { useSwitchboard } from './switchboard.setup.js';
export {
  ChatPublisher,
  MAX_CLOSE_REASON_BYTES,
  MAX_HISTORY_LIMIT,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type HistoryQuery,
  type PublishOptions,
  type Published,
} from './domain/publisher/chat-publisher.js';
export { ChatException } from './domain/chat.exception.js';
export { ChatErrorCode } from './protocol/chat-error-code.js';
export { CloseCode } from './protocol/close-code.js';
export { SERVER_SENDER_PREFIX, isServerSenderId } from './protocol/server-sender.js';
export { customEventNameProblem, RESERVED_EVENT_NAMES } from './protocol/custom-event.js';
export type { ChatMessage, DirectMessage, User } from './protocol/chat.events.js';
