import { clusterScenario } from './cluster.mjs';
import { connectScenario } from './connect.mjs';
import { fanoutScenario } from './fanout.mjs';
import { historyScenario } from './history.mjs';
import { idleScenario } from './idle.mjs';
import { roomsScenario } from './rooms.mjs';
import { seedScenario } from './seed.mjs';

/** Every scenario, in the order `npm run bench` runs them. */
export const SCENARIOS = [
  fanoutScenario,
  roomsScenario,
  seedScenario,
  idleScenario,
  connectScenario,
  clusterScenario,
  historyScenario,
];
