/** The plain way to fan out with `ws`: `send` to each recipient, one write system call per frame. */
export const perSocketWriter = {
  /** Sends the payload to every member but the excluded connection. */
  broadcast(members, exclude, payload) {
    for (const member of members) {
      if (member.id !== exclude && member.socket.readyState === 1)
        member.socket.send(payload, { binary: false });
    }
  },
};
