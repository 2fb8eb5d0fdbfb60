// The explorer's picture in Debian's headless chromium (software GL): logs in, says how long until the
// graph was drawn (time to first picture), then turns the camera round the picture for a few seconds and
// says how long its frames took. Prints `FRAMES <json>`. Run by bench/view.py (--parts browser).
const { chromium } = require("playwright-core");

const [url, email, password, profile, seconds] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    viewport: { width: 1280, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill("#email", email);
    await page.fill("#password", password);
    const started = Date.now();
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => Number(document.getElementById("status").dataset.nodes || 0) > 0, null, { timeout: 120000 });
    // A picture is there once a frame has been drawn after the nodes were: wait for the next two frames.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const firstPictureMs = Date.now() - started;
    const result = await page.evaluate((ms) => new Promise((done) => {
      const state = window.kindredExplorer;
      const camera = state.graph.camera();
      const nodes = [...state.nodes.values()];
      const centre = ["x", "y", "z"].map((axis) => nodes.reduce((sum, n) => sum + n[axis], 0) / nodes.length);
      const radius = Math.hypot(camera.position.x - centre[0], camera.position.z - centre[2]) || 500;
      const frames = [];
      const begin = performance.now();
      let last = begin;
      const turn = (now) => {
        frames.push(now - last);
        last = now;
        const angle = ((now - begin) / ms) * Math.PI * 2;
        state.graph.cameraPosition({ x: centre[0] + radius * Math.sin(angle), y: centre[1], z: centre[2] + radius * Math.cos(angle) },
          { x: centre[0], y: centre[1], z: centre[2] });
        if (now - begin < ms) requestAnimationFrame(turn);
        else done({ nodes: nodes.length, links: state.links.size, frames: frames.slice(1) });
      };
      requestAnimationFrame(turn);
    }), Number(seconds) * 1000);
    const sorted = [...result.frames].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    console.log(`FRAMES ${JSON.stringify({ firstPictureMs, nodes: result.nodes, links: result.links, frames: sorted.length,
      medianMs: at(0.5), p95Ms: at(0.95), fps: 1000 / at(0.5) })}`);
  } finally {
    await browser.close();
  }
})().catch((error) => { console.log(`FAILED ${error.stack || error}`); process.exit(1); });
