export { ChatErrorCode } from '../../../src/protocol/chat-error-code.js';
export type {
  ChatMessage,
  ClientEvents,
  ClientReplies,
  Conversation,
  ConversationName,
  DirectMessage,
  MessageChange,
  ServerEvents,
  User,
} from '../../../src/protocol/chat.events.js';
export { CloseCode } from '../../../src/protocol/close-code.js';
export type { BackoffOptions } from './backoff.js';
export type { DisconnectReason } from './close-reason.js';
export type { HeartbeatOptions } from './heartbeat.js';
export {
  RoomSubscription,
  type JoinedEvent,
  type RoomEvents,
  type RoomState,
} from './room-subscription.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export {
  SwitchboardClient,
  type ClientEventMap,
  type ConnectionState,
  type RequestOptions,
  type SwitchboardClientOptions,
} from './switchboard-client.js';
export { SwitchboardError, type ClientFailure } from './switchboard-error.js';
