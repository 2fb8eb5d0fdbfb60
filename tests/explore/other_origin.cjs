// Opens a page in Debian's headless chromium and prints `OUTCOME <json>` once the page has set
// window.outcome (tests/explore/other_origin.html). Run by tests/test_ws_origins.py.
const { chromium } = require("playwright-core");

const [url, profile] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.outcome !== undefined, null, { timeout: 45000 });
    console.log(`OUTCOME ${JSON.stringify(await page.evaluate(() => window.outcome))}`);
  } finally {
    await browser.close();
  }
})().catch((error) => { console.log(`FAILED ${error.stack || error}`); process.exit(1); });
