/** Debian's Chromium (`apt-get install -y chromium`), or `CHROMIUM_PATH`; nothing downloads a browser. */
export declare const CHROMIUM_PATH: string;

/** Headless, with no background networking, and no sandbox (it runs as root on CI machines). */
export declare const CHROMIUM_FLAGS: string[];
