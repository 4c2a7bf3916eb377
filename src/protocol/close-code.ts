/** Every code the server closes a socket with; clients branch on these to decide whether to reconnect. */
export enum CloseCode {
  /** The server or client ended the session normally. Do not reconnect automatically. */
  Normal = 1000,
  /** This node is shutting down. Reconnect at once; the load balancer picks another node. */
  GoingAway = 1001,
  /** A text frame that is not valid UTF-8 (closed by the ws library, RFC 6455). Fix the client. */
  InvalidPayload = 1007,
  /** Policy violation, such as sustained flooding past the rate limit. Do not reconnect automatically: the client misbehaves. */
  PolicyViolation = 1008,
  /** An inbound frame exceeded MAX_FRAME_BYTES. Reconnect and send smaller frames. */
  MessageTooBig = 1009,
  /** A server fault on this connection. Reconnect with backoff. */
  InternalError = 1011,
  /** The socket fell behind (send buffer past SLOW_CONSUMER_BYTES) or the node is overloaded. Reconnect with backoff and resume with `since`. */
  TryAgainLater = 1013,
  /** The access token expired. Reconnect with a fresh token. */
  TokenExpired = 4001,
  /** The host's server disconnected this user (signed out, banned, account closed), or a moderator banned them from the service. Do not reconnect automatically. */
  ServerDisconnect = 4003,
}
