/** Length of every message text the load generator sends, in characters (ASCII, so also bytes). */
const TEXT_LENGTH = 100;
const FILLER = 'x'.repeat(TEXT_LENGTH);

/**
 * A message text carrying its run's tag and its send time (`performance.now()` of the load generator, which
 * also hosts the probes, so no clocks need agreeing): `<tag>@<ms>@<seq>:xxxx…`, padded to TEXT_LENGTH.
 */
export function messageText(tag, seq) {
  const head = `${tag}@${performance.now().toFixed(3)}@${seq}:`;
  return head + FILLER.slice(head.length);
}

/** The tag and send time in a text built by `messageText`, or undefined for any other text. */
export function parseMessageText(text) {
  const at = text.indexOf('@');
  if (at < 0) return undefined;
  return { tag: text.slice(0, at), sentAt: Number.parseFloat(text.slice(at + 1)) };
}
