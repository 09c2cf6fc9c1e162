/**
 * Headless Chromium for the browser tests (Debian's package, driven by playwright-core): a clear
 * failure, never a skip, when it is missing — on CI `.ci/run` installs it with apt-get.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium, or throws saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      process.env.CI
        ? `${CHROMIUM} is missing on CI: the browser test needs Debian's chromium package (.ci/run installs it with apt-get)`
        : `${CHROMIUM} is missing: install it with \`sudo apt-get install chromium\` to run the browser test`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
