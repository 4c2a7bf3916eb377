import { figure } from './format.mjs';

/** Issue 8's one threshold: the embedded database's fan-out rate against the memory engine's, same run. */
const SQLITE_FANOUT_OVER_MEMORY = 0.9;

const MEMORY = 'switchboard';
const SQLITE = 'switchboard-sqlite';
const POSTGRES = 'switchboard-postgres';

/** The command that measures issue 8's targets alone (the full `npm run bench` measures them too). */
export const ISSUE_8_COMMAND =
  'node bench/run.mjs --scenario=fanout,rooms,history --arms=switchboard,switchboard-sqlite,switchboard-postgres';

/**
 * The rows of the "Issue 8 targets" table: `{ id, target, measured, met }`, `measured` already worded;
 * `met` is true, false, or undefined when the run cannot tell. A target that asks only for a figure to
 * be reported is met when the figure was measured.
 * @param {object} summary from summarize.mjs
 */
export function issue8Targets(summary) {
  const rows = [];
  const fanout = summary.fanout;
  if (fanout?.[SQLITE] || fanout?.[POSTGRES]) {
    const memory = fanout[MEMORY];
    const rate = (arm) => {
      const s = fanout[arm];
      if (!s || s.maxRate === undefined) return s?.errors?.[0] ? `failed: ${s.errors[0]}` : '—';
      const top = s.topSustained
        ? ` (${s.topSustained} of ${s.rounds} rounds sustained the ladder's top rung: its limit may be higher)`
        : '';
      // 0: not even the first rung was sustained.
      const below =
        s.maxRate === 0 ? ` (below the ladder's first rung, ${s.ladder[0].rate} msg/s)` : '';
      return `${figure(s.maxRate, { unit: 'msg/s', digits: 0 })}${top}${below}, rounds ${s.maxRates.join(', ')}`;
    };
    const ratio = (arm) =>
      fanout[arm]?.maxRate !== undefined && memory?.maxRate
        ? fanout[arm].maxRate / memory.maxRate
        : undefined;
    const sqlite = ratio(SQLITE);
    rows.push({
      id: 'fanoutSqliteOverMemory',
      target: `fan-out maximum sustainable rate with the embedded database (SQLite) ≥ ${SQLITE_FANOUT_OVER_MEMORY}× the in-memory mode, same run`,
      measured: `SQLite ${rate(SQLITE)}; memory ${rate(MEMORY)}: **${sqlite === undefined ? '—' : `${sqlite.toFixed(2)}×`}**`,
      met: sqlite === undefined ? undefined : sqlite >= SQLITE_FANOUT_OVER_MEMORY,
    });
    const postgres = ratio(POSTGRES);
    rows.push({
      id: 'fanoutPostgres',
      target: 'fan-out maximum sustainable rate with PostgreSQL, reported',
      measured: `PostgreSQL ${rate(POSTGRES)}: ${postgres === undefined ? '—' : `${postgres.toFixed(2)}×`} the memory mode`,
      met: fanout[POSTGRES]?.maxRate !== undefined,
    });
  }
  const rooms = summary.rooms;
  if (rooms?.[SQLITE] || rooms?.[POSTGRES]) {
    const us = (value) => figure(value, { unit: 'µs' });
    const pg = rooms[POSTGRES] ?? {};
    const both =
      pg.inboundAloneUs !== undefined && pg.inboundAloneDatabaseUs !== undefined
        ? pg.inboundAloneUs + pg.inboundAloneDatabaseUs
        : undefined;
    rows.push({
      id: 'inboundCpuByStorage',
      target:
        'server CPU per inbound message (rooms scenario, each client alone in its room: parse, check, store, ack), reported for memory, the embedded database and PostgreSQL',
      measured: `memory ${us(rooms[MEMORY]?.inboundAloneUs)}; SQLite ${us(rooms[SQLITE]?.inboundAloneUs)}; PostgreSQL ${us(pg.inboundAloneUs)} in the server, plus ${us(pg.inboundAloneDatabaseUs)} in PostgreSQL's backends serving its schema (${us(both)} together)`,
      met: [rooms[MEMORY], rooms[SQLITE], pg].every((s) => s?.inboundAloneUs !== undefined),
    });
  }
  const history = summary.history;
  for (const [arm, name] of [
    [SQLITE, 'SQLite'],
    [POSTGRES, 'PostgreSQL'],
  ]) {
    const s = history?.[arm];
    if (!s) continue;
    const ms = (value) => figure(value, { unit: 'ms' });
    const measured =
      s.randomP99 === undefined
        ? `failed: ${s.errors?.[0] ?? 'no result'}`
        : `**p99 ${ms(s.randomP99)}** (p50 ${ms(s.randomP50)}) over ${figure(s.randomSamples, { digits: 0 })} pages at random depths, one request at a time; the latest page p99 ${ms(s.latestP99)} (p50 ${ms(s.latestP50)}); ${s.concurrentSockets} sockets at once p99 ${ms(s.concurrentP99)}, ${figure(s.concurrentPagesPerSec, { digits: 0 })} pages/s${wrongPages(s)}`;
    rows.push({
      id: `history${name}`,
      target: `a history page (50 messages) from a room holding ${figure(s.messages ?? 1_000_000, { digits: 0 })} messages, ${name}: p99 reported`,
      measured,
      met: s.randomP99 !== undefined && wrongPages(s) === '',
    });
  }
  return rows;
}

function wrongPages(s) {
  const wrong = (s.randomWrong ?? 0) + (s.latestWrong ?? 0) + (s.concurrentWrong ?? 0);
  return wrong > 0 ? `; **${wrong} replies were not the page asked for**` : '';
}
