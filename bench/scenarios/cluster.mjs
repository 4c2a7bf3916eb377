import { withSession } from '../lib/session.mjs';
import { climbLadder } from './ladder.mjs';

/**
 * Cluster: two nodes of each arm sharing Redis (Switchboard's Redis engine, Socket.IO's Redis adapter, the
 * relays' pub/sub), the members of `lobby` split evenly across them, the same ladder as fan-out.
 */
export const clusterScenario = {
  id: 'cluster',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm, nodes: 2, redis: true }, (session) =>
      climbLadder(ctx, session, ctx.profile.cluster),
    ),
};
