// Drives the explorer's time slider and its page-by-page expansion in Debian's headless chromium, and
// says what it saw:
//   READY <json>    the graph drawn now (the late node among it)
//   PAST <json>     the slider moved back to a sequence: the picture as it was then, live paused
//   (then waits for "MUTATED <name>" on stdin, a node the test made over HTTP meanwhile)
//   NOW <json>      back at "now": the late node and the one made meanwhile are drawn
//   EXPANDED <json> with a small budget (?budget=N): a super-node opened page by page, a node's
//                   neighbours drawn page by page; a screenshot saved
// Arguments: url email password screenshot profile late asOf budget. Run by tests/test_view_explore_past.py.
const { chromium } = require("playwright-core");
const readline = require("readline");

const [url, email, password, screenshot, profile, late, asOf, budget] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
const say = (word, value) => console.log(`${word} ${JSON.stringify(value)}`);
const WAIT = { timeout: 60000 };

const look = () => {
  const state = window.kindredExplorer;
  const nodes = [...state.nodes.values()];
  return {
    nodes: nodes.length, names: nodes.map((node) => node.name), links: state.links.size,
    superNodes: nodes.filter((node) => node.label === "Community").map((node) => ({ id: node.id, members: node.members })),
    past: state.past, held: state.held.length, latest: state.latest, sequence: state.sequence,
    slider: { min: Number(document.getElementById("slider").min), max: Number(document.getElementById("slider").max),
      value: Number(document.getElementById("slider").value) },
    when: document.getElementById("when").textContent,
    status: document.getElementById("status").textContent, live: state.live,
  };
};

// Waits for a condition of the page; past the bound, says what the page showed instead.
const until = async (page, problems, condition, arg) => {
  try {
    await page.waitForFunction(condition, arg, WAIT);
  } catch (error) {
    const seen = await page.evaluate(look).catch(() => ({}));
    throw new Error(`${error.message}: ${JSON.stringify({ status: seen.status, when: seen.when, past: seen.past, problems })}`);
  }
};

(async () => {
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
    await until(page, problems, () => Number(document.getElementById("status").dataset.nodes || 0) > 0);
    await until(page, problems, () => window.kindredExplorer.live === "subscribed");
    say("READY", await page.evaluate(look));

    // The slider moved back by hand: the picture as it was at that sequence.
    await page.$eval("#slider", (slider, value) => {
      slider.value = value;
      slider.dispatchEvent(new Event("input", { bubbles: true }));
    }, asOf);
    await until(page, problems, (value) => document.getElementById("time").dataset.shown === value, asOf);
    say("PAST", await page.evaluate(look));

    // A change made meanwhile waits: heard, not drawn.
    const said = await nextLine();
    const name = said.slice(said.indexOf(" ") + 1);
    await until(page, problems, (wanted) => window.kindredExplorer.held.some((delta) => delta.nodesAdded.some((n) => n.title === wanted)), name);
    const waiting = await page.evaluate(look);
    // Back to now: the view read afresh, what came meanwhile applied.
    await page.click("#now");
    await until(page, problems, () => document.getElementById("time").dataset.shown === "now");
    await until(page, problems, (names) => names.every((wanted) => [...window.kindredExplorer.nodes.values()].some((n) => n.name === wanted && n.fx !== undefined)), [late, name]);
    say("NOW", { waiting, now: await page.evaluate(look), made: name });

    // A smaller budget folds communities into super-nodes: the biggest opens a page at a time.
    await page.goto(`${url}?budget=${budget}`);
    await until(page, problems, () => [...(window.kindredExplorer?.nodes.values() || [])].some((n) => n.label === "Community"));
    const folded = await page.evaluate(look);
    const big = folded.superNodes.sort((a, b) => b.members - a.members)[0];
    const drawnOf = (id) => window.kindredExplorer.pages.get(id) || 0;
    await page.evaluate((id) => window.kindredExplorer.open(id), big.id);
    await until(page, problems, (id) => (window.kindredExplorer.pages.get(id) || 0) > 0, big.id);
    const first = { ...(await page.evaluate(look)), drawn: await page.evaluate(drawnOf, big.id) };
    await page.click("#notice a.more");
    await until(page, problems, ([id, before]) => (window.kindredExplorer.pages.get(id) || 0) > before, [big.id, first.drawn]);
    const second = { ...(await page.evaluate(look)), drawn: await page.evaluate(drawnOf, big.id) };
    // A node's neighbours, a page at a time from its panel: the most linked drawn node that is not.
    const person = await page.evaluate(() => [...window.kindredExplorer.nodes.values()]
      .filter((n) => n.label !== "Community").sort((a, b) => b.size - a.size || (a.id < b.id ? -1 : 1))[0].id);
    await page.evaluate((id) => window.kindredExplorer.open(id), person);
    await until(page, problems, (id) => document.getElementById("detail").dataset.id === id && document.querySelector("#detail .around a.more"), person);
    const beforeAround = await page.evaluate(look);
    await page.click("#detail .around a.more");
    await until(page, problems, (id) => (window.kindredExplorer.around.get(id)?.drawn || 0) > 0, person);
    const aroundOne = { ...(await page.evaluate(look)), paging: await page.evaluate((id) => window.kindredExplorer.around.get(id), person) };
    await page.waitForTimeout(1200); // the camera's flight, for the screenshot
    await page.screenshot({ path: screenshot });
    say("EXPANDED", { folded, big, first, second, beforeAround, aroundOne, problems });
  } finally {
    await browser.close();
    lines.close();
  }
})().catch((error) => { console.log(`FAILED ${error.stack || error}`); process.exit(1); });
