/**
 * Where a gateway listens, as one key: the port and `path` its `@WebSocketGateway(port, options)` declares.
 * Nest creates one server per port and path (its `SocketServerProvider` keys servers by them and hands
 * the adapter's `create(port, options)` the same two values), so the key of a server the adapter created
 * names the gateways on it.
 */
export function gatewayEndpoint(port: unknown, path: unknown): string {
  // Nest reads a missing port as 0 (the application's HTTP server).
  return `${typeof port === 'number' ? port : 0} ${typeof path === 'string' ? path : ''}`;
}
