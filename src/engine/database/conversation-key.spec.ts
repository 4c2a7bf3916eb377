import { ConversationKey, directMembers, membersOfDirectKey } from './conversation-key.js';

describe('ConversationKey', () => {
  it('keys a room by its name', () => {
    expect(ConversationKey.room('lobby')).toBe('room:lobby');
  });

  it('keys a room named like a direct conversation apart from it', () => {
    expect(ConversationKey.room('dm:1:a:b')).not.toBe(ConversationKey.direct('a', 'b'));
  });

  it('gives both users of a pair the same direct conversation', () => {
    expect(ConversationKey.direct('bob', 'alice')).toBe(ConversationKey.direct('alice', 'bob'));
    expect(ConversationKey.direct('alice', 'bob')).toBe('dm:5:alice:bob');
  });

  it('keeps pairs apart whose ids only differ in where a colon falls', () => {
    expect(ConversationKey.direct('a:b', 'c')).not.toBe(ConversationKey.direct('a', 'b:c'));
  });

  it('sorts the members of a pair', () => {
    expect(directMembers('zed', 'amy')).toEqual(['amy', 'zed']);
  });

  it('reads both users back from a direct key, colons in the ids included', () => {
    expect(membersOfDirectKey(ConversationKey.direct('a:b', 'c'))).toEqual(['a:b', 'c']);
    expect(membersOfDirectKey(ConversationKey.direct('b', 'a'))).toEqual(['a', 'b']);
    expect(membersOfDirectKey(ConversationKey.direct('x', 'x'))).toEqual(['x', 'x']);
  });

  it('reads no users from a room key', () => {
    expect(membersOfDirectKey(ConversationKey.room('dm:1:a:b'))).toBeUndefined();
  });
});
