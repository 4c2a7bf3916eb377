import { withSession } from '../lib/session.mjs';
import { climbLadder } from './ladder.mjs';

/** Fan-out: one room (the default `lobby`, which every connection joins) of 1000 members, a ladder of send rates. */
export const fanoutScenario = {
  id: 'fanout',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm }, (session) => climbLadder(ctx, session, ctx.profile.fanout)),
};
