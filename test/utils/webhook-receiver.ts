import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody, WebhookEvent } from '../../src/webhooks/webhook-event.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/webhooks/webhook-signature.js';
import { waitFor } from './wait-for.mjs';

/** One request the receiver got: its raw body, the two signature headers, and the answer it gave. */
export interface ReceivedRequest {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  events: WebhookEvent[];
  /** The status answered, or `hang` when the request was left unanswered. */
  answer: number | 'hang';
}

/** How the receiver answers request number `n` (1 for the first): a status, or `hang` (never answers). */
export type Answer = (n: number) => number | 'hang';

/**
 * A webhook receiver: a real node:http server on 127.0.0.1, port 0, recording every request; `answer`
 * decides each response (204 unless told). `accepted()` lists the events of 2xx-answered requests only.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>/hooks` */
    readonly url: string,
    public answer: Answer,
  ) {}

  /** Starts listening; resolves once it does. */
  static async start(answer: Answer = () => 204): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => receiver?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks`, answer);
    return receiver;
  }

  /** Events of the requests answered 2xx, in the order they arrived. */
  accepted(): WebhookEvent[] {
    return this.requests
      .filter((request) => typeof request.answer === 'number' && request.answer < 300)
      .flatMap((request) => request.events);
  }

  /** Accepted events of `type` (and, when given, of `room`). */
  acceptedOf(type: WebhookEvent['type'], room?: string): WebhookEvent[] {
    return this.accepted().filter(
      (event) => event.type === type && (room === undefined || event.room === room),
    );
  }

  /** Waits until `check` holds of the accepted events; the timeout error names `what`. */
  async waitForAccepted(
    check: (events: WebhookEvent[]) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<WebhookEvent[]> {
    await waitFor(() => check(this.accepted()), `the receiver to accept ${what}`, timeoutMs);
    return this.accepted();
  }

  /** Stops listening, answering the requests it left hanging. */
  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = this.answer(this.requests.length + 1);
      this.requests.push({
        body,
        timestamp: header(request, TIMESTAMP_HEADER),
        signature: header(request, SIGNATURE_HEADER),
        events: (JSON.parse(body) as WebhookBody).events,
        answer,
      });
      if (answer === 'hang') this.hanging.add(response);
      else response.writeHead(answer).end();
    });
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
