// Kindred's 3D explorer: draws the viewer's graph from graphView with the server's positions (every node
// pinned with fx/fy/fz, so no force simulation runs in the browser) and makes it readable and explorable:
// a shape and colour per kind with a legend that also filters, captions that never overlap, named
// community regions, click to focus (camera flight, neighbours lit, the rest dimmed) and back (Escape,
// breadcrumbs), a detail panel, search that suggests as one types and flies to the one picked, and a
// live line that says the truth. It follows graphChanged from the view's own sequence on.
import ForceGraph3D from "3d-force-graph";
import * as api from "./api.js";
import { captioner, regionNames } from "./captions.js";
import { COMMUNITY, kindsOf, objectOf, radiusOf, regionOf, shade } from "./kinds.js";
import * as panel from "./panel.js";

// The most nodes drawn at once (past it, communities fold into super-nodes): ?budget=N in the address.
const BUDGET = Math.min(5000, Math.max(1, Number(new URLSearchParams(location.search).get("budget")) || 2000));
const PAGE = 12; // members of a super-node, or neighbours of a node, drawn per click of "more"
const REFRESH_MS = 3000;
const CHOOSE_MS = 250; // how often captions are chosen anew (they follow the picture every frame)
const FRESH_MS = 6000;
const WIDE_LINKS = 1500; // past this many links, only the focused node's are drawn with a width // how long a node new from a delta stays highlighted

const state = {
  token: sessionStorage.getItem("kindred-token"), nodes: new Map(), links: new Map(), opened: new Set(),
  expanded: new Set(), pending: new Map(), live: "off", refreshes: 0, deltas: 0, sequence: 0, evolved: false,
  enumNames: [], kinds: [], hidden: new Set(["GiftOutcome"]), trail: [], focus: null,
  neighbours: new Set(), fresh: new Map(), regions: [], outcomes: new Map(), kindOf: new Map(), graph: null,
  frames: [], past: null, held: [], latest: 0, pages: new Map(), around: new Map(),
};
window.kindredExplorer = state; // what a test (or a curious person at the console) can look at
state.open = (id) => focus(id); // what a click on a node does, by id (a super-node opens its next page)

const $ = (id) => document.getElementById(id);
const gql = api.client(() => state.token);
const status = (text) => { $("status").textContent = text; };
const visible = (node) => node.label === COMMUNITY || !state.hidden.has(node.label);
const end = (value) => (typeof value === "object" ? value.id : value);
let captions = null;
let regionLabels = null;
let regionMeshes = [];

// Pins each node where the server put it; keeps the objects of nodes already drawn, so nothing jumps.
function merge(found, replace) {
  const seen = new Set();
  for (const node of found.nodes) {
    if (state.expanded.has(node.id)) continue; // a super-node opened stays open
    seen.add(node.id);
    const drawn = state.nodes.get(node.id);
    const target = drawn || {};
    Object.assign(target, node, { fx: node.x, fy: node.y, fz: node.z });
    if (!drawn) state.nodes.set(node.id, target);
  }
  const linkSeen = new Set();
  for (const link of found.links) {
    linkSeen.add(link.id);
    if (!state.links.has(link.id)) state.links.set(link.id, { ...link });
  }
  if (replace) {
    for (const id of [...state.nodes.keys()]) if (!seen.has(id) && !state.opened.has(id)) state.nodes.delete(id);
    for (const id of [...state.links.keys()]) if (!linkSeen.has(id)) state.links.delete(id);
    state.pending.clear();
  }
  if (found.communities) setRegions(found.communities);
  draw();
}

// One graphChanged delta, applied in place: a node is drawn once it has a place (a new one gets it from
// the layout's positions delta right after), moved where the server moved it, and a link drawn once
// both its ends are. A node updated that is not drawn is in a super-node: it stays folded.
function apply(delta) {
  state.latest = Math.max(state.latest, delta.sequence);
  if (state.past !== null) { // looking at the past: live deltas wait until "now"
    state.held.push(delta);
    timeline();
    report();
    return;
  }
  if (delta.sequence <= state.sequence) return; // already in the view read on the way back to "now"
  state.sequence = delta.sequence;
  state.deltas += 1;
  for (const change of delta.nodesAdded) place(change, true);
  for (const change of delta.nodesUpdated) place(change, false);
  for (const { id } of delta.nodesRemoved) {
    state.nodes.delete(id);
    state.pending.delete(id);
  }
  for (const link of [...delta.linksAdded, ...delta.linksUpdated]) {
    state.links.set(link.id, { id: link.id, source: link.sourceId, target: link.targetId, type: link.type, weight: link.weight ?? 1 });
  }
  for (const link of delta.linksRemoved) state.links.delete(link.id);
  if (delta.positions) move(delta.positions);
  draw();
}

function place(change, added) {
  if (!("position" in change)) return; // a node the view does not draw (a document, the user)
  const drawn = state.nodes.get(change.id);
  const node = drawn || state.pending.get(change.id);
  if (!node && !added) return;
  const target = node || { id: change.id, label: change.__typename, colourKey: change.__typename, size: 2, evolution: null, members: null };
  if (change.title != null) target.name = change.title || change.__typename;
  if (change.community != null) target.community = change.community;
  // A card's state as growth and links change it: its rings are drawn anew.
  if (change.evolution !== undefined && change.evolution !== target.evolution) {
    target.evolution = change.evolution;
    state.evolved = true;
  }
  if (added) state.fresh.set(change.id, performance.now());
  if (change.position) {
    pin(target, change.position.x, change.position.y, change.position.z);
  } else if (!drawn) {
    state.pending.set(change.id, target);
  }
}

// The layout's moves, column by column: a node waiting for its place is drawn now.
function move({ ids, x, y, z, community }) {
  ids.forEach((id, i) => {
    const node = state.nodes.get(id) || state.pending.get(id);
    if (!node) return; // folded in a super-node, or not in this view
    if (community[i] != null) node.community = community[i];
    pin(node, x[i], y[i], z[i]);
    if (state.fresh.has(id)) state.fresh.set(id, performance.now()); // new from when it is seen
    if (state.fresh.has(id)) panel.notice(`New: ${node.name} · ${node.label} (fly to it)`, () => focus(id));
  });
}

function pin(node, x, y, z) {
  Object.assign(node, { x, y, z, fx: x, fy: y, fz: z });
  state.pending.delete(node.id);
  state.nodes.set(node.id, node);
}

function draw() {
  const nodes = [...state.nodes.values()];
  const links = [...state.links.values()]
    .map((link) => ({ ...link, source: end(link.source), target: end(link.target) }))
    .filter((link) => state.nodes.has(link.source) && state.nodes.has(link.target));
  const outcomes = new Map();
  for (const link of links) if (link.type === "HAS_OUTCOME") outcomes.set(link.source, (outcomes.get(link.source) || 0) + 1);
  const changedOutcomes = [...outcomes].some(([id, n]) => state.outcomes.get(id) !== n) || outcomes.size !== state.outcomes.size;
  state.outcomes = outcomes;
  state.kinds = kindsOf(state.enumNames, nodes.map((node) => node.label));
  state.kindOf = new Map(state.kinds.map((kind) => [kind.label, kind]));
  if (!state.graph) create();
  else if (changedOutcomes || state.evolved) state.graph.nodeThreeObject(state.graph.nodeThreeObject()); // halos, rings anew
  state.evolved = false;
  state.graph.graphData({ nodes, links });
  if (state.refreshes === 1 && !state.framed) { frame(nodes); state.framed = true; }
  const counts = new Map();
  for (const node of nodes) counts.set(node.label, (counts.get(node.label) || 0) + 1);
  panel.legend(state.kinds, counts, state.hidden, toggle);
  report();
}

function report() {
  const nodes = [...state.nodes.values()];
  const shown = nodes.filter(visible).length;
  $("status").dataset.nodes = String(nodes.length);
  $("status").dataset.visible = String(shown);
  $("status").dataset.live = state.live;
  const hidden = nodes.length - shown;
  $("status").dataset.past = state.past === null ? "" : String(state.past);
  const live = state.past === null ? state.live
    : `paused at #${state.past} of ${state.latest}${state.held.length ? `, ${state.held.length} changes waiting` : ""}`;
  status(`${shown} nodes shown${hidden ? ` (${hidden} hidden by the legend)` : ""}, ${state.links.size} links · live: ${live}`);
}

function create() {
  const graph = ForceGraph3D()($("scene"))
    .backgroundColor("#0b1020")
    .nodeId("id")
    .nodeLabel((node) => escapeHtml(`${node.name} · ${node.label}${node.evolution ? ` · ${node.evolution.toLowerCase()}` : ""}`))
    .nodeVal((node) => node.size)
    .nodeThreeObject((node) => objectOf(node, state.kindOf.get(node.label), state.outcomes.get(node.id) || 0))
    .nodeVisibility(visible)
    .linkVisibility((link) => visible(link.source) && visible(link.target))
    // Width by weight (0 to 1; a super-node's links sum their members', so the log of it). A link with a
    // width is a mesh of its own: past WIDE_LINKS links, only the focused node's have one, the rest are
    // plain lines (measured: 2,000 nodes turning at 2.9 s a frame in software GL with every link a mesh).
    .linkWidth((link) => (!lit(link) && state.links.size > WIDE_LINKS ? 0
      : (lit(link) ? 1.2 : 0.25) + Math.min(2.5, Math.log1p(link.weight ?? 1) * 1.6)))
    .linkColor((link) => (state.focus === null ? "#64748b" : lit(link) ? "#f8fafc" : "#1e293b"))
    .linkOpacity(0.5)
    .cooldownTicks(0) // the server owns the layout: no simulation here
    .onNodeClick((node) => focus(node.id));
  state.graph = graph;
  captions = captioner($("captions"), graph);
  regionLabels = regionNames($("regions"), graph);
  let chosen = 0;
  let last = performance.now();
  const tick = (now) => {
    state.frames.push(now - last);
    if (state.frames.length > 600) state.frames.shift();
    last = now;
    if (now - chosen > CHOOSE_MS) {
      chosen = now;
      captions.choose([...state.nodes.values()].filter((node) => visible(node) && !dimmed(node)), boost);
      // A new node waiting for its place stays new until it is drawn and has been seen a while.
      for (const [id, since] of state.fresh) if (now - since > FRESH_MS && state.nodes.has(id)) state.fresh.delete(id);
    }
    captions.follow(state.nodes);
    regionLabels.follow(state.focus === null);
    for (const id of state.fresh.keys()) { // a new node pulses while it is new
      const object = state.nodes.get(id)?.__threeObj;
      if (object) object.scale.setScalar(1 + 0.35 * Math.abs(Math.sin(now / 250)));
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

const lit = (link) => state.focus !== null && (end(link.source) === state.focus || end(link.target) === state.focus);
const dimmed = (node) => state.focus !== null && node.id !== state.focus && !state.neighbours.has(node.id);
const boost = (node) => (node.id === state.focus ? 3 : state.neighbours.has(node.id) || state.fresh.has(node.id) ? 2 : 0);

function setRegions(regions) {
  state.regions = regions;
  if (!state.graph) create();
  for (const mesh of regionMeshes) state.graph.scene().remove(mesh);
  regionMeshes = regions.map(regionOf);
  for (const mesh of regionMeshes) state.graph.scene().add(mesh);
  regionLabels.set(regions);
}

function toggle(label, shown) {
  if (shown) state.hidden.delete(label);
  else state.hidden.add(label);
  state.graph.nodeVisibility(state.graph.nodeVisibility()); // re-evaluated for every node
  state.graph.linkVisibility(state.graph.linkVisibility());
  report();
}

// Looks at the whole picture once, from in front of its centre.
function frame(nodes, ms = 0) {
  if (!nodes.length) return;
  const centre = ["x", "y", "z"].map((axis) => nodes.reduce((sum, node) => sum + node[axis], 0) / nodes.length);
  const radius = Math.max(...nodes.map((node) => Math.hypot(node.x - centre[0], node.y - centre[1], node.z - centre[2])), 50);
  state.graph.cameraPosition({ x: centre[0], y: centre[1], z: centre[2] + radius * 1.7 }, { x: centre[0], y: centre[1], z: centre[2] }, ms);
}

// Focus: the camera flies to the node, its neighbours are lit and the rest dimmed, the detail panel
// opens; each focus is a breadcrumb, and Escape goes back one. A node not drawn (folded, or hidden by
// the legend) is brought in with what is around it first.
async function focus(id, push = true) {
  try {
    let node = state.nodes.get(id);
    if (node && node.label === COMMUNITY) { await expand(node); return; }
    if (!node) {
      const around = (await gql(api.AROUND, { id })).graphView;
      for (const found of around.nodes) state.opened.add(found.id);
      merge(around, false);
      node = state.nodes.get(id);
      if (!node) return;
    }
    if (!visible(node)) { toggle(node.label, true); draw(); }
    if (push && state.trail[state.trail.length - 1] !== id) state.trail.push(id);
    state.focus = id;
    state.neighbours = new Set();
    for (const link of state.links.values()) {
      if (end(link.source) === id) state.neighbours.add(end(link.target));
      if (end(link.target) === id) state.neighbours.add(end(link.source));
    }
    restyle();
    fly(node);
    crumbs();
    await detail(node);
  } catch (error) {
    status(`Could not open it: ${error.message}`);
  }
}

function back(to) {
  // to: an index in the trail, -1 for the overview, undefined for one step back.
  state.trail = to === undefined ? state.trail.slice(0, -1) : state.trail.slice(0, to + 1);
  const last = state.trail[state.trail.length - 1];
  if (last !== undefined) { focus(last, false); return; }
  state.focus = null;
  state.neighbours = new Set();
  restyle();
  panel.closeDetail();
  crumbs();
  frame([...state.nodes.values()].filter(visible), 900);
}

function crumbs() {
  panel.breadcrumbs(state.trail, (id) => state.nodes.get(id)?.name || "…", (index) => back(index));
}

function restyle() {
  for (const node of state.nodes.values()) shade(node.__threeObj, dimmed(node));
  for (const mesh of regionMeshes) mesh.visible = state.focus === null;
  state.graph.linkColor(state.graph.linkColor()); // re-evaluated for every link
  state.graph.linkWidth(state.graph.linkWidth());
}

function fly(node) {
  const distance = 70 + radiusOf(node) * 10;
  const from = Math.hypot(node.x, node.y, node.z) || 1;
  const ratio = 1 + distance / from;
  state.graph.cameraPosition({ x: node.x * ratio, y: node.y * ratio, z: node.z * ratio + (from < 1 ? distance : 0) }, node, 1000);
}

// A super-node opens page by page: each click draws its next PAGE most important members where the
// server placed them; the super-node stays for the rest (named by how many are left) until none is.
async function expand(node) {
  // The community's most important members are drawn already (the cut folds the rest): the first page
  // starts after them.
  const drawn = state.pages.get(node.id)
    ?? [...state.nodes.values()].filter((n) => n.label !== COMMUNITY && n.community === node.community).length;
  const found = (await gql(api.EXPAND, { id: node.id, max: drawn + PAGE })).expandCommunity;
  for (const member of found.nodes) state.opened.add(member.id);
  state.pages.set(node.id, found.nodes.length);
  const left = found.hiddenCount;
  if (left === 0) {
    state.nodes.delete(node.id);
    state.expanded.add(node.id);
    panel.notice("");
  } else {
    node.name = `${left} more of this community`;
    node.members = left;
    panel.notice(`${found.nodes.length} of ${found.totalCount} drawn: the next ${Math.min(PAGE, left)} (more)`, () => focus(node.id), "more");
  }
  merge(found, false);
  fly(node);
}

// A node's neighbours drawn into the picture page by page, the most heavily linked first.
async function drawAround(node) {
  const paging = state.around.get(node.id) || { cursor: null, drawn: 0, more: true };
  if (!paging.more) return paging;
  const found = (await gql(api.NEIGHBOURS, { id: node.id, after: paging.cursor, first: PAGE })).neighbourhood;
  for (const other of found.nodes) state.opened.add(other.id);
  const next = { cursor: found.pageInfo.endCursor, drawn: paging.drawn + found.nodes.length, more: found.pageInfo.hasNextPage };
  state.around.set(node.id, next);
  merge(found, false);
  if (state.focus === node.id) focus(node.id, false);
  return next;
}

// The fields a kind shows in the panel: its plain values (scalars, enums, lists of them) that need no
// argument, read from the schema once per kind, so the panel follows the schema as it grows.
const fieldCache = new Map();
const SKIPPED = new Set(["id", "title", "position", "community"]);
async function fieldsOf(type) {
  if (fieldCache.has(type)) return fieldCache.get(type);
  const found = (await gql(api.FIELDS, { name: type })).__type;
  const named = (t) => { while (t && (t.kind === "NON_NULL" || t.kind === "LIST")) t = t.ofType; return t; };
  const leaf = (t) => ["SCALAR", "ENUM"].includes(named(t)?.kind);
  const fields = (found?.fields || []).filter((f) => !SKIPPED.has(f.name) && leaf(f.type)
    && f.args.every((arg) => arg.type.kind !== "NON_NULL" || arg.defaultValue !== null));
  const answer = {
    names: fields.map((f) => f.name),
    // Only an enum's values are put in words: a person's own capitals ("NASA") are kept as written.
    enums: new Set(fields.filter((f) => named(f.type).kind === "ENUM").map((f) => f.name)),
    documents: (found?.fields || []).some((f) => f.name === "documents"),
  };
  fieldCache.set(type, answer);
  return answer;
}

async function detail(node) {
  const { names, enums, documents } = await fieldsOf(node.label);
  const docs = documents ? "documents(first: 20) { edges { node { id filename mime kind url } } }" : "";
  const query = `query Detail($id: ID!) { node(id: $id) { ... on ${node.label} { ${names.join(" ")} ${docs} } } }`;
  const [data, around, history, said] = await Promise.all([
    gql(query, { id: node.id }),
    gql(api.NEIGHBOURS, { id: node.id }),
    gql(api.TIMELINE, { id: node.id }).catch(() => ({ timeline: { edges: [] } })),
    node.label === "Conversation" ? gql(api.MESSAGES, { id: node.id }).catch(() => null) : null,
  ]);
  if (state.focus !== node.id) return; // another node was focused meanwhile
  const found = data.node || {};
  const ends = new Map(around.neighbourhood.nodes.map((n) => [n.id, n]));
  // Nothing to offer "more" of when its few neighbours are all in the picture already.
  const allDrawn = !around.neighbourhood.pageInfo.hasNextPage && around.neighbourhood.nodes.every((n) => state.nodes.has(n.id));
  const groups = new Map();
  for (const link of around.neighbourhood.links) {
    const other = ends.get(link.source === node.id ? link.target : link.source);
    if (!other) continue;
    if (!groups.has(link.type)) groups.set(link.type, []);
    groups.get(link.type).push(other);
  }
  panel.detail({
    node,
    fields: names.map((name) => [name.replace(/([A-Z])/g, " $1").toLowerCase(), found[name], enums.has(name)]),
    documents: (found.documents?.edges || []).map((edge) => edge.node),
    groups: [...groups.entries()].sort((a, b) => b[1].length - a[1].length),
    // The layout's moves are not something that happened to the node: left out of its timeline.
    timeline: history.timeline.edges.map((edge) => edge.node).filter((event) => event.kind !== "PositionsChanged")
      .reverse().slice(0, 20),
    messages: (said?.node?.messages?.edges || []).map((edge) => edge.node),
    around: { ...(state.around.get(node.id) || { drawn: 0, more: !allDrawn }), page: PAGE, load: () => drawAround(node) },
  }, (id) => (id === null ? back(-1) : focus(id)));
}

// Suggestions as one types: the drawn nodes whose name holds the text (at once), then what search
// finds (by meaning too), each with its kind; Enter picks the first.
let searchTimer = null;
let searched = 0;
function typed() {
  const text = $("query").value.trim().toLowerCase();
  clearTimeout(searchTimer);
  $("hits").dataset.complete = "0"; // "1" once search has answered too (a test waits for it)
  if (!text) { panel.suggest([], pick); return; }
  const local = [...state.nodes.values()]
    .filter((node) => node.label !== COMMUNITY && node.name.toLowerCase().includes(text))
    .sort((a, b) => (b.name.toLowerCase().startsWith(text) - a.name.toLowerCase().startsWith(text)) || b.size - a.size)
    .slice(0, 6)
    .map((node) => ({ id: node.id, title: node.name, label: node.label }));
  panel.suggest(local, pick);
  const asked = ++searched;
  searchTimer = setTimeout(async () => {
    try {
      const hits = (await gql(api.SEARCH, { q: text })).search;
      if (asked !== searched) return; // typed on meanwhile
      const more = hits.filter((hit) => !local.some((one) => one.id === hit.node.id))
        .map((hit) => ({ id: hit.node.id, title: hit.node.title || hit.matched.text.slice(0, 60), label: hit.node.__typename }));
      panel.suggest([...local, ...more].slice(0, 10), pick);
    } catch (error) {
      // search refuses some text (too short, say): the local suggestions stand
    }
    if (asked === searched) $("hits").dataset.complete = "1";
  }, 220);
}

function pick(hit) {
  panel.suggest([], pick);
  $("query").value = hit.title;
  if (hit.label !== "Message") { focus(hit.id); return; }
  // A message is not drawn: its conversation is flown to instead.
  gql(api.HELD_IN, { id: hit.id })
    .then((data) => { const held = data.node?.conversation; if (held) focus(held.id); })
    .catch((error) => status(`Could not open it: ${error.message}`));
}

async function refresh() {
  const data = await gql(api.VIEW, { max: BUDGET });
  state.refreshes += 1;
  state.sequence = data.graphView.sequence;
  state.latest = Math.max(state.latest, state.sequence);
  state.pages.clear();
  state.expanded.clear();
  merge(data.graphView, true);
  timeline();
  return data.graphView.sequence;
}

// The time slider: from the first change of the log to the last. Moved back, the picture is the graph as
// it was then (graphView(asOf:)) and live deltas wait; at the end ("now") the view is read afresh and
// the deltas that came meanwhile after it are applied, so nothing is lost.
function timeline() {
  const slider = $("slider");
  $("time").classList.remove("hidden");
  slider.max = String(Math.max(1, state.latest));
  if (state.past === null) slider.value = slider.max;
  $("when").textContent = state.past === null ? `now (#${state.latest})` : `as of #${state.past} of ${state.latest}`;
}

let travelling = 0;
async function travel(sequence) {
  const asked = ++travelling;
  try {
    if (sequence >= state.latest) { await toNow(asked); return; }
    state.past = sequence;
    timeline();
    report();
    const data = await gql(api.PAST, { max: BUDGET, asOf: sequence });
    if (asked !== travelling) return; // moved on meanwhile
    back(-1);
    state.pages.clear();
    state.expanded.clear();
    state.opened.clear(); // what was drawn by hand may not have existed then
    merge(data.graphView, true);
    $("time").dataset.shown = String(sequence);
  } catch (error) {
    status(`Could not go back in time: ${error.message}`);
  }
}

async function toNow(asked) {
  state.past = null;
  state.opened.clear();
  timeline();
  await refresh();
  if (asked !== travelling) return;
  const held = state.held.filter((delta) => delta.sequence > state.sequence);
  state.held = [];
  for (const delta of held) apply(delta);
  timeline();
  $("time").dataset.shown = "now";
  report();
}

// graphChanged when the server has it, from the view's sequence on (so nothing made since the view was
// read is lost); without it, the view is fetched every REFRESH_MS, and the live line says so.
async function live() {
  let fields = [];
  try {
    fields = ((await gql(api.HAS_LIVE)).__schema.subscriptionType?.fields || []).map((field) => field.name);
  } catch (error) {
    fields = [];
  }
  const said = (text) => { state.live = text; report(); };
  if (!fields.includes("graphChanged")) {
    said(`off (refetching every ${REFRESH_MS / 1000} s)`);
    setInterval(() => refresh().catch((error) => status(error.message)), REFRESH_MS);
    return;
  }
  api.follow({
    token: () => state.token,
    since: state.sequence,
    on: { delta: apply, live: said, resync: refresh, problem: (text) => status(text) },
  });
}

async function start() {
  $("login").classList.add("hidden");
  $("search").classList.remove("hidden");
  status("Loading your graph...");
  state.enumNames = ((await gql(api.LABELS)).__type?.enumValues || []).map((value) => value.name);
  await refresh();
  await live();
}

async function logIn(event, signUp) {
  if (event) event.preventDefault();
  const email = $("email").value;
  const password = $("password").value;
  const mutation = signUp
    ? "mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p, name: $e) { token } }"
    : "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }";
  try {
    const data = await gql(mutation, { e: email, p: password });
    state.token = (signUp ? data.signUp : data.logIn).token;
    sessionStorage.setItem("kindred-token", state.token);
    await start();
  } catch (error) {
    status(error.message);
  }
}

$("login").addEventListener("submit", (event) => logIn(event, false));
$("signup").addEventListener("click", (event) => logIn(event, true));
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const first = document.querySelector("#hits li");
  if (first) first.dispatchEvent(new MouseEvent("mousedown"));
});
$("query").addEventListener("input", typed);
let slid = null;
$("slider").addEventListener("input", () => {
  clearTimeout(slid); // one query once the hand rests, not one per step
  const value = Number($("slider").value);
  $("when").textContent = `as of #${value} of ${state.latest}`;
  slid = setTimeout(() => travel(value), 200);
});
$("now").addEventListener("click", () => { $("slider").value = $("slider").max; travel(state.latest); });
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  if (document.activeElement === $("query") && $("hits").children.length) { panel.suggest([], pick); return; }
  if (state.trail.length || state.focus !== null) back();
});
if (state.token) start().catch(() => { sessionStorage.removeItem("kindred-token"); location.reload(); });

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
