import { readFileSync } from 'node:fs';

/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time per function and per package,
 * counting only samples taken within `window` ({ startUs, endUs } on the monotonic clock the profile
 * uses), when given and when it overlaps the profile.
 */
export function summarizeCpuProfile(file, window, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  let time = profile.startTime;
  const overlaps = window && window.startUs < profile.endTime && window.endUs > profile.startTime;
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    time += profile.timeDeltas[i];
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (overlaps && (time < window.startUs || time > window.endUs)) continue;
    // Idle is time the thread waited for I/O: not work, so not part of the shares.
    if (nodes.get(profile.samples[i]).callFrame.functionName === '(idle)') {
      idleUs += duration;
      continue;
    }
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + duration);
    totalUs += duration;
  }
  const byFunction = new Map();
  const byPackage = new Map();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = location(url);
    const name = (functionName || '(anonymous)').slice(0, 60);
    const key = `${name}\u0000${where.file}:${lineNumber + 1}`;
    const entry = byFunction.get(key) ?? {
      function: name,
      file: where.file ? `${where.file}:${lineNumber + 1}` : '',
      package: where.package,
      us: 0,
    };
    entry.us += us;
    byFunction.set(key, entry);
    byPackage.set(where.package, (byPackage.get(where.package) ?? 0) + us);
  }
  const share = (us) => Math.round((us / totalUs) * 1000) / 10;
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    windowed: Boolean(overlaps),
    functions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({ ...entry, ms: Math.round(entry.us / 1000), pct: share(entry.us) })),
    packages: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ package: name, ms: Math.round(us / 1000), pct: share(us) })),
  };
}

/** Where a function lives: its package (node_modules name, Node's internals, V8, or this repo) and file. */
function location(url) {
  if (!url) return { package: '(native: V8, GC, Node bindings, system calls)', file: '' };
  if (url.startsWith('node:')) return { package: 'Node.js internals', file: url };
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return { package: name, file: rest.join('/') };
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return { package: 'Switchboard (dist/)', file: path.slice(dist + 1) };
  return { package: 'other', file: path };
}
