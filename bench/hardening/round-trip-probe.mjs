import WebSocket from 'ws';

/** Opens a ws client as `uid` and resolves once it is open. */
export function openClient(port, uid) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/?uid=${uid}&name=${uid}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `event` with `data` and resolves with the first frame `matches` accepts. */
export function request(socket, event, data, matches, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no answer to ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw) => {
      const frame = JSON.parse(raw.toString());
      if (!matches(frame)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(frame);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ event, data }));
  });
}

/**
 * Two users in a room of their own: every `everyMs` one sends a message (when the previous one has
 * arrived) and the time until the other receives it is a sample. A message still on its way when the
 * probe stops counts as a sample of the time it has waited so far, so a stall is never missed.
 */
export async function startRoundTripProbe(port, everyMs = 50) {
  const [sender, receiver] = await Promise.all([
    openClient(port, 'probe-sender'),
    openClient(port, 'probe-receiver'),
  ]);
  for (const socket of [sender, receiver])
    await request(socket, 'join', { room: 'probe' }, (frame) => frame.event === 'joined');
  let samples = [];
  let outstanding;
  let sequence = 0;
  receiver.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (frame.event !== 'message' || frame.data.text !== outstanding?.text) return;
    samples.push(performance.now() - outstanding.at);
    outstanding = undefined;
  });
  const timer = setInterval(() => {
    if (outstanding) return;
    outstanding = { text: `rt${(sequence += 1)}`, at: performance.now() };
    sender.send(
      JSON.stringify({ event: 'message', data: { room: 'probe', text: outstanding.text } }),
    );
  }, everyMs);
  return {
    /** The samples so far, emptied: what a phase measured. */
    take() {
      const taken = samples;
      if (outstanding) taken.push(performance.now() - outstanding.at);
      samples = [];
      return taken;
    },
    stop() {
      clearInterval(timer);
      sender.terminate();
      receiver.terminate();
    },
  };
}
