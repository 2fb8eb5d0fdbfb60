// Drives the explorer in Debian's headless chromium as a person would, and says what it saw:
//   READY <json>     the graph drawn (after logging in)
//   EXPLORED <json>  captions, the legend as a filter, search-to-fly, focus and back, the detail panel
//   (then waits for "MUTATED <name>" on stdin, made by the test over HTTP)
//   SEEN <json>      the new node drawn without a reload, and a screenshot saved
// Arguments: url email password screenshot profile person (a recipient's name with a document).
// Run by tests/test_view_explore.py.
const { chromium } = require("playwright-core");
const readline = require("readline");

const [url, email, password, screenshot, profile, person] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
const say = (word, value) => console.log(`${word} ${JSON.stringify(value)}`);

// What the page shows now: its captions (text and box), what is focused and dimmed, the panels.
const look = () => {
  const state = window.kindredExplorer;
  const captions = [...document.querySelectorAll("#captions .caption")].map((element) => {
    const box = element.getBoundingClientRect();
    const node = state.nodes.get(element.dataset.id);
    return { id: element.dataset.id, text: element.textContent, label: node && node.label, name: node && node.name,
      box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom } };
  });
  const regionOverlaps = () => {
    const boxes = [...document.querySelectorAll("#regions .region")]
      .filter((element) => element.style.display !== "none").map((element) => element.getBoundingClientRect());
    return boxes.filter((a, i) => boxes.some((b, j) => j > i && a.left < b.right && b.left < a.right
      && a.top < b.bottom && b.top < a.bottom)).length;
  };
  const overlaps = captions.filter((a, i) => captions.some((b, j) => j > i && a.box.left < b.box.right
    && b.box.left < a.box.right && a.box.top < b.box.bottom && b.box.top < a.box.bottom)).length;
  const nodes = [...state.nodes.values()];
  const dimmed = nodes.filter((node) => node.__threeObj && node.__threeObj.children[0]?.material.opacity < 0.2).length;
  const focused = state.focus && state.nodes.get(state.focus);
  const camera = state.graph.camera().position;
  const detail = document.getElementById("detail");
  return {
    captions: captions.length, overlaps, captionTexts: captions.map((c) => c.text),
    captionLabels: captions.map((c) => c.label), untitled: captions.filter((c) => !c.name || !c.name.startsWith(c.text.replace(/…$/, ""))).length,
    nodes: nodes.length, visible: Number(document.getElementById("status").dataset.visible),
    labels: nodes.reduce((counts, node) => ({ ...counts, [node.label]: (counts[node.label] || 0) + 1 }), {}),
    regions: [...document.querySelectorAll("#regions .region")].map((element) => element.textContent),
    regionOverlaps: regionOverlaps(),
    regionsShown: [...document.querySelectorAll("#regions .region")].filter((element) => element.style.display !== "none").length,
    focus: state.focus, trail: [...state.trail], dimmed,
    cameraToFocus: focused ? Math.hypot(camera.x - focused.x, camera.y - focused.y, camera.z - focused.z) : null,
    detailShown: !detail.classList.contains("hidden"), detailTitle: detail.querySelector("h2")?.textContent || null,
    detailFields: detail.querySelectorAll("dt").length,
    linkGroups: [...detail.querySelectorAll(".links details")].map((group) => group.dataset.type),
    linkTexts: [...detail.querySelectorAll(".links a")].map((a) => a.textContent),
    fieldTexts: [...detail.querySelectorAll("dd")].map((dd) => dd.textContent),
    messages: [...detail.querySelectorAll(".messages li")].map((li) => li.textContent),
    legendShapes: [...document.querySelectorAll("#legend .kind")].map((row) => [row.dataset.label, row.querySelector(".swatch").dataset.shape]),
    documents: [...detail.querySelectorAll(".documents a")].map((a) => ({ text: a.textContent, href: a.href })),
    timeline: detail.querySelectorAll(".timeline li").length,
    crumbs: document.getElementById("crumbs").textContent,
    status: document.getElementById("status").textContent, live: state.live,
  };
};

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
    const started = Date.now();
    await page.goto(url);
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => Number(document.getElementById("status").dataset.nodes || 0) > 0, null, { timeout: 60000 });
    const firstPicture = Date.now() - started;
    await page.waitForFunction(() => document.querySelectorAll("#captions .caption").length > 0, null, { timeout: 20000 });
    await page.waitForFunction(() => window.kindredExplorer.live === "subscribed", null, { timeout: 20000 });
    const drawn = await page.evaluate(() => ({
      nodes: window.kindredExplorer.nodes.size,
      pinned: [...window.kindredExplorer.nodes.values()].every((n) => n.fx === n.x && n.fy === n.y && n.fz === n.z),
      canvas: !!document.querySelector("#scene canvas"),
    }));
    say("READY", { ...drawn, firstPictureMs: firstPicture });

    const explored = {};
    explored.overview = await page.evaluate(look);
    // The legend filters: concepts off, then on again.
    const concept = '#legend .kind[data-label="Concept"] input';
    await page.click(concept);
    await page.waitForTimeout(600); // captions are chosen anew every 250 ms
    explored.withoutConcepts = await page.evaluate(look);
    await page.click(concept);
    await page.waitForTimeout(400);
    explored.withConcepts = await page.evaluate(look);
    // Search suggests as one types, with each node's kind; picking one flies there and opens it.
    await page.click("#query");
    await page.keyboard.type(person.slice(0, Math.max(4, person.length - 2)), { delay: 40 });
    try {
      await page.waitForSelector('#hits[data-complete="1"] li', { timeout: 45000 });
    } catch (error) {
      const seen = await page.evaluate(() => ({ hits: document.getElementById("hits").outerHTML.slice(0, 300), query: document.getElementById("query").value, active: document.activeElement && document.activeElement.id }));
      throw new Error(`${error.message}: ${JSON.stringify({ ...seen, problems })}`);
    }
    explored.suggestions = await page.$$eval("#hits li", (items) => items.map((item) => item.textContent));
    const hit = await page.$(`#hits li:has-text("${person}")`);
    await hit.dispatchEvent("mousedown");
    await page.waitForFunction(() => document.querySelectorAll("#detail .timeline li").length > 0, null, { timeout: 45000 });
    await page.waitForTimeout(1400); // the camera's flight
    explored.focused = await page.evaluate(look);
    const link = explored.focused.documents[0];
    explored.document = link ? await page.evaluate(async (href) => {
      const answer = await fetch(href);
      return { status: answer.status, type: answer.headers.get("content-type"), bytes: (await answer.arrayBuffer()).byteLength };
    }, link.href) : null;
    // Deeper through the panel's links, back with Escape, then to the overview by the breadcrumb.
    await page.click("#detail .links details[open] a");
    // The panel is the focused node's once its answers are in (four queries, slow on a busy machine).
    const opened = (length) => window.kindredExplorer.trail.length === length
      && document.getElementById("detail").dataset.id === window.kindredExplorer.focus
      && document.querySelectorAll("#detail .timeline li").length > 0;
    await page.waitForFunction(opened, 2, { timeout: 45000 });
    await page.waitForTimeout(1200);
    explored.deeper = await page.evaluate(look);
    await page.keyboard.press("Escape");
    await page.waitForFunction(opened, 1, { timeout: 45000 });
    await page.waitForTimeout(1200);
    explored.back = await page.evaluate(look);
    // The conversation the test made about them (drawn as one node, its messages folded into it), then
    // back to the person.
    await page.click('#detail .links a:has-text("Birthday ideas · Conversation")');
    await page.waitForFunction(opened, 2, { timeout: 45000 });
    await page.waitForFunction(() => document.querySelectorAll("#detail .messages li").length > 0, null, { timeout: 20000 });
    explored.conversation = await page.evaluate(look);
    await page.keyboard.press("Escape");
    await page.waitForFunction(opened, 1, { timeout: 45000 });
    await page.click("#crumbs a:first-child");
    await page.waitForTimeout(1200);
    explored.overviewAgain = await page.evaluate(look);
    // A click on the picture focuses the node under the pointer: the biggest one near the middle.
    const target = await page.evaluate(() => {
      const state = window.kindredExplorer;
      const nodes = [...state.nodes.values()].filter((n) => n.label !== "GiftOutcome" && n.label !== "Community");
      const placed = nodes.map((n) => ({ n, at: state.graph.graph2ScreenCoords(n.x, n.y, n.z) }))
        .filter(({ at }) => at.x > 420 && at.x < 860 && at.y > 150 && at.y < 650)
        .sort((a, b) => b.n.size - a.n.size);
      return placed.length ? { id: placed[0].n.id, x: placed[0].at.x, y: placed[0].at.y } : null;
    });
    if (target) {
      await page.mouse.move(target.x, target.y);
      await page.waitForTimeout(300);
      await page.mouse.click(target.x, target.y);
      await page.waitForTimeout(1500);
    }
    explored.clicked = { target, focus: await page.evaluate(() => window.kindredExplorer.focus) };
    await page.keyboard.press("Escape");
    await page.waitForTimeout(1000);
    explored.problems = [...problems];
    say("EXPLORED", explored);

    const said = await nextLine();
    const name = said.slice(said.indexOf(" ") + 1);
    try {
      await page.waitForFunction((wanted) => [...window.kindredExplorer.nodes.values()].some((n) => n.name === wanted && n.fx !== undefined), name, { timeout: 30000 });
    } catch (error) {
      const seen = await page.evaluate(() => ({ status: document.getElementById("status").textContent, live: window.kindredExplorer.live, refreshes: window.kindredExplorer.refreshes }));
      throw new Error(`${error.message}: ${JSON.stringify({ ...seen, problems })}`);
    }
    await page.waitForTimeout(1500); // a frame or two of the new picture
    await page.screenshot({ path: screenshot });
    // The line that says what is new flies to it.
    await page.click("#notice a");
    await page.waitForTimeout(1800);
    const after = await page.evaluate((wanted) => {
      const state = window.kindredExplorer;
      const made = [...state.nodes.values()].find((n) => n.name === wanted);
      return { nodes: state.nodes.size, reloads: performance.getEntriesByType("navigation").length,
        refreshes: state.refreshes, deltas: state.deltas, id: made.id, place: { x: made.x, y: made.y, z: made.z },
        notice: document.getElementById("notice").textContent, live: state.live, focus: state.focus,
        captioned: [...document.querySelectorAll("#captions .caption")].some((element) => element.dataset.id === made.id) };
    }, name);
    say("SEEN", { ...after, problems });
  } finally {
    await browser.close();
    lines.close();
  }
})().catch((error) => { console.log(`FAILED ${error.stack || error}`); process.exit(1); });
