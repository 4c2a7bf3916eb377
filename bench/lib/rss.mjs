import { readFileSync } from 'node:fs';

/** A process's resident set size in bytes, from /proc/<pid>/status (VmRSS); 0 once it has exited. */
function rssBytes(pid) {
  try {
    const kib = /VmRSS:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` from now until `stop()`, which returns the baseline and the peak. */
export function sampleRss(pid, everyMs = 50) {
  const baseline = rssBytes(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssBytes(pid));
      return { baseline, peak, growth: peak - baseline };
    },
  };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes) {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
