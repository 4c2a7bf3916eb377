import type { User } from '../protocol/chat.events.js';

/** One socket on this node, as the engine sees it: no socket, only who it is and where. */
export interface NodeSession {
  readonly id: string;
  readonly user: User;
  readonly rooms: Iterable<string>;
}

/**
 * What the engine needs to know of this node's sockets (Redis presence: the node id its keys are named
 * by, whether a room still has a socket here, every socket to restore). The engine owns this port; the
 * transport's connection registry provides it.
 */
export abstract class NodeSessions {
  /** Random per process: names this node's presence keys and prefixes its connection ids. */
  abstract readonly nodeId: string;
  /** Whether this node has a socket in `room`. */
  abstract hasRoom(room: string): boolean;
  /** Every socket on this node. */
  abstract all(): Iterable<NodeSession>;
}
