/** Why an upgrade was refused: the HTTP status written before any socket exists, and the reason (its message) as the status text. */
export class HandshakeRejection extends Error {
  constructor(
    readonly status: 401 | 403 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'HandshakeRejection';
  }
}
