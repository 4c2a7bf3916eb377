import type { ConversationStore } from '../../engine/conversation-store.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ChatException } from '../chat.exception.js';

/** The conversation store, or `unavailable` for the events that need one on a node without a database. */
export function needsDatabase(store: ConversationStore | null): ConversationStore {
  if (!store) throw new ChatException(ChatErrorCode.Unavailable, 'needs a database (DATABASE_URL)');
  return store;
}
