import { selectSubprotocol, tokenFromSubprotocols } from './subprotocol.js';

describe('tokenFromSubprotocols', () => {
  it('reads the token offered as switchboard.bearer.<token>, wherever it is in the list', () => {
    expect(tokenFromSubprotocols('switchboard, switchboard.bearer.a.b.c')).toBe('a.b.c');
    expect(tokenFromSubprotocols('switchboard.bearer.a.b.c,switchboard')).toBe('a.b.c');
  });

  it('finds no token in a header without one, or with an empty one', () => {
    expect(tokenFromSubprotocols(undefined)).toBeUndefined();
    expect(tokenFromSubprotocols('switchboard, chat')).toBeUndefined();
    expect(tokenFromSubprotocols('switchboard.bearer.')).toBeUndefined();
  });
});

describe('selectSubprotocol', () => {
  it('answers switchboard when offered, and never the token', () => {
    expect(selectSubprotocol(new Set(['switchboard.bearer.secret', 'switchboard']))).toBe(
      'switchboard',
    );
    expect(selectSubprotocol(new Set(['switchboard.bearer.secret']))).toBe(false);
  });
});
