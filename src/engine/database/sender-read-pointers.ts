import type { Kysely } from 'kysely';
import { membersOfDirectKey } from './conversation-key.js';
import type { DatabaseSchema, MessagesTable, ReadPointersTable } from './database-schema.js';

/** A pointer row as written here (`private` keeps its default, or what the user last chose). */
type PointerRow = Omit<ReadPointersTable, 'private'>;

/**
 * In a batch's transaction, one statement: each sender has read what they sent (their pointer moves to
 * their last message of the batch, so their own messages never count as unread), and the recipient of a
 * direct message gets a pointer row at 0 if they had none, which is what lists the conversation for them
 * whether or not they were online. Pointers only move forward; a recipient's name is left as it was.
 */
export async function advanceSenders(
  tx: Kysely<DatabaseSchema>,
  rows: ReadonlyArray<
    Pick<MessagesTable, 'sender_id' | 'sender_name' | 'conversation' | 'seq' | 'kind'> & {
      ordinal?: number | null;
    }
  >,
  now: number,
): Promise<void> {
  const pointers = new Map<string, PointerRow>();
  const put = (pointer: PointerRow) => {
    const key = `${pointer.user_id.length}:${pointer.user_id}:${pointer.conversation}`;
    const known = pointers.get(key);
    if (!known || known.seq < pointer.seq) pointers.set(key, pointer);
  };
  for (const row of rows) {
    // An edit or deletion is no message to have read: only messages carry an ordinal.
    if (row.kind !== 'message' || row.ordinal === null || row.ordinal === undefined) continue;
    put({
      user_id: row.sender_id,
      conversation: row.conversation,
      seq: row.seq,
      ordinal: row.ordinal,
      user_name: row.sender_name,
      updated_at: now,
    });
    const members = membersOfDirectKey(row.conversation);
    if (!members) continue;
    const recipient = members[0] === row.sender_id ? members[1] : members[0];
    put({
      user_id: recipient,
      conversation: row.conversation,
      seq: 0,
      ordinal: 0,
      user_name: null,
      updated_at: now,
    });
  }
  if (pointers.size === 0) return;
  // Sorted, so that two transactions touching the same pointers lock them in the same order.
  const values = [...pointers.values()].sort((a, b) =>
    a.user_id === b.user_id
      ? compare(a.conversation, b.conversation)
      : compare(a.user_id, b.user_id),
  );
  await tx
    .insertInto('read_pointers')
    .values(values)
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'conversation']).doUpdateSet((eb) => {
        const moves = eb('excluded.seq', '>', eb.ref('read_pointers.seq'));
        return {
          seq: eb
            .case()
            .when(moves)
            .then(eb.ref('excluded.seq'))
            .else(eb.ref('read_pointers.seq'))
            .end(),
          ordinal: eb
            .case()
            .when(moves)
            .then(eb.ref('excluded.ordinal'))
            .else(eb.ref('read_pointers.ordinal'))
            .end(),
          updated_at: eb
            .case()
            .when(moves)
            .then(eb.ref('excluded.updated_at'))
            .else(eb.ref('read_pointers.updated_at'))
            .end(),
          user_name: eb.fn.coalesce('excluded.user_name', 'read_pointers.user_name'),
        };
      }),
    )
    .execute();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
