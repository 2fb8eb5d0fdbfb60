// Drives the explorer in Debian's headless chromium: logs in, waits for the graph to be drawn, says
// READY <nodes>, waits for "MUTATED <name>" on stdin, waits (no reload) until a node of that name is
// drawn, saves a screenshot and says SEEN with what the page holds (the new node's id and place among it).
// Run by tests/test_view_explore.py.
const { chromium } = require("playwright-core");
const readline = require("readline");

const [url, email, password, screenshot, profile] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

(async () => {
  // A fresh profile folder each run: launchPersistentContext is how playwright takes --user-data-dir.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    viewport: { width: 1280, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => { if (message.type() === "error") problems.push(message.text()); });
    await page.goto(url);
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => Number(document.getElementById("status").dataset.nodes || 0) > 0, null, { timeout: 60000 });
    const drawn = await page.evaluate(() => ({
      nodes: window.kindredExplorer.nodes.size,
      pinned: [...window.kindredExplorer.nodes.values()].every((n) => n.fx === n.x && n.fy === n.y && n.fz === n.z),
      canvas: !!document.querySelector("#scene canvas"),
      live: window.kindredExplorer.live,
    }));
    console.log(`READY ${JSON.stringify(drawn)}`);
    const said = await nextLine();
    const name = said.slice(said.indexOf(" ") + 1);
    try {
      await page.waitForFunction((wanted) => [...window.kindredExplorer.nodes.values()].some((n) => n.name === wanted), name, { timeout: 30000 });
    } catch (error) {
      const seen = await page.evaluate(() => ({ status: document.getElementById("status").textContent, live: window.kindredExplorer.live, refreshes: window.kindredExplorer.refreshes }));
      throw new Error(`${error.message}: ${JSON.stringify({ ...seen, problems })}`);
    }
    await page.waitForTimeout(1500); // a frame or two of the new picture
    await page.screenshot({ path: screenshot });
    const after = await page.evaluate((wanted) => {
      const state = window.kindredExplorer;
      const made = [...state.nodes.values()].find((n) => n.name === wanted);
      return { nodes: state.nodes.size, reloads: performance.getEntriesByType("navigation").length,
        refreshes: state.refreshes, deltas: state.deltas, id: made.id, place: { x: made.x, y: made.y, z: made.z } };
    }, name);
    console.log(`SEEN ${JSON.stringify({ ...after, problems })}`);
  } finally {
    await browser.close();
    lines.close();
  }
})().catch((error) => { console.log(`FAILED ${error.stack || error}`); process.exit(1); });
