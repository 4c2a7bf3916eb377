import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { refOf } from '../protocol/error-frame.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { ChatConnection } from './chat-connection.js';
import { isEnvelopeRefusal, parseEnvelope } from './envelope.js';
import type { Replies } from './replies.js';

/** Takes each inbound frame of a socket to its route: parsed once, refused here when it is not a known event. */
export class InboundFrames {
  constructor(
    private readonly defaultRoom: string,
    private readonly metrics: ChatMetrics,
    private readonly replies: Replies,
  ) {}

  /** Handles one frame from `connection`, on the routes Nest bound for it. */
  dispatch(connection: ChatConnection, raw: Buffer, isBinary: boolean): void {
    const { routes } = connection;
    // A socket closing (1008, 1013, 4001) takes no more frames, whatever is still in flight.
    if (!routes || !connection.isOpen) return;
    if (isBinary)
      return this.replies.refuse(
        connection,
        ChatErrorCode.BadRequest,
        'binary frames are not supported',
      );
    const envelope = parseEnvelope(raw, this.defaultRoom);
    if (isEnvelopeRefusal(envelope))
      return this.replies.refuse(connection, envelope.refused, envelope.message);
    const route = routes.get(envelope.event);
    if (!route) {
      return this.replies.refuse(
        connection,
        ChatErrorCode.UnknownEvent,
        `unknown event "${envelope.event.slice(0, 64)}"`,
        envelope.data,
        envelope.event,
      );
    }
    const ref = refOf(envelope.data);
    this.metrics.messagesIn.inc(envelope.event);
    route.handle(connection, envelope.data, (value) => this.replies.reply(connection, value, ref));
  }
}
