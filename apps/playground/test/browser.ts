// Finds a headless Chromium without apt: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else the Chromium that
// the npm package @sparticuz/chromium unpacks (a Linux x64 build with its own libraries). No browser is an error
// that says what to install, never a skip.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a quiet headless run on a closed network. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The browser the tests launched, and where it came from (printed in the test output). */
export interface LaunchedBrowser {
  browser: Browser;
  source: string;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv}: no such file`);
    return { browser: await chromium.launch({ executablePath: fromEnv, args: FLAGS }), source: fromEnv };
  }
  if (existsSync('/usr/bin/chromium')) {
    return {
      browser: await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS }),
      source: '/usr/bin/chromium',
    };
  }
  let executablePath: string;
  let args: string[];
  try {
    const { default: sparticuz } = await import('@sparticuz/chromium');
    executablePath = await sparticuz.executablePath();
    args = sparticuz.args;
  } catch (e) {
    throw new Error(
      `no Chromium found: set CHROMIUM_PATH, install Debian's chromium (apt-get install -y chromium), or use Linux x64 where the devDependency @sparticuz/chromium unpacks one (${(e as Error).message})`,
    );
  }
  const browser = await chromium.launch({ executablePath, args: [...args, ...FLAGS] });
  return { browser, source: `@sparticuz/chromium ${browser.version()} (${executablePath})` };
}
