import { execFileSync } from 'node:child_process';

/**
 * @typedef {object} PreviousReport
 * @property {string} commit the commit that last changed docs/BENCHMARKS.md (where the report was committed)
 * @property {string | undefined} runId the run that report came from
 * @property {number | undefined} fanoutMaxRate Switchboard's fan-out maximum sustainable rate there, msg/s
 * @property {boolean} fanoutTopSustained whether that rate was the ladder's top rung, sustained (a floor)
 * @property {string | undefined} kernel the kernel it ran on, as its machine table gives it
 */

/**
 * What the committed report (docs/BENCHMARKS.md at HEAD) said before this run replaces it, for the
 * targets that compare with it; undefined when there is none or it cannot be read.
 * @returns {PreviousReport | undefined}
 */
export function readPreviousReport(root) {
  let commit;
  let markdown;
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    commit = git('log', '-1', '--format=%h', 'HEAD', '--', 'docs/BENCHMARKS.md').trim();
    markdown = git('show', 'HEAD:docs/BENCHMARKS.md');
  } catch {
    return undefined;
  }
  return { commit, ...parsePreviousReport(markdown) };
}

/** The figures `readPreviousReport` needs, read off a report's Markdown. */
function parsePreviousReport(markdown) {
  const runId = /\(run `([^`]+)`/.exec(markdown)?.[1];
  const fanout = markdown.split(/^## /m).find((section) => section.startsWith('Fan-out'));
  const row = fanout?.split('\n').find((line) => line.startsWith('| Switchboard |'));
  const cell = row?.split('|')[2] ?? '';
  const rate = /^\s*([\d,]+)/.exec(cell)?.[1];
  return {
    runId,
    kernel: /^\| kernel \| ([^|]+) \|/m.exec(markdown)?.[1].trim(),
    fanoutMaxRate: rate === undefined ? undefined : Number(rate.replaceAll(',', '')),
    fanoutTopSustained: /rounds sustained the top rung/.test(cell),
  };
}
