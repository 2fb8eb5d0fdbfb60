// Kindred's 3D explorer: draws the viewer's graph from graphView with the server's positions (every node
// pinned with fx/fy/fz, so no force simulation runs in the browser), opens super-nodes and neighbourhoods
// on click, searches, and follows changes: it applies graphChanged's deltas (each node's kept place rides
// on them) from the view's own sequence on, or, on a server without the subscription, fetches graphView
// again every few seconds.
import ForceGraph3D from "3d-force-graph";

const ENDPOINT = "/graphql";
const REFRESH_MS = 3000;
const BUDGET = 2000;
const NODE = "id label name x y z size community colourKey evolution members";
const LINK = "id source target type weight";
const VIEW = `query View($max: Int!) { graphView(maxNodes: $max) { totalCount hiddenCount sequence
  nodes { ${NODE} } links { ${LINK} } } }`;
const EXPAND = `query Expand($id: ID!) { expandCommunity(id: $id, maxNodes: 500) {
  nodes { ${NODE} } links { ${LINK} } } }`;
const NEIGHBOURS = `query Neighbours($id: ID!) { neighbourhood(id: $id, first: 20) {
  nodes { ${NODE} } links { ${LINK} } } }`;
const SEARCH = `query Search($q: String!) { search(query: $q, first: 10) { score node { id __typename } matched { text } } }`;
const HAS_LIVE = `{ __schema { subscriptionType { fields { name } } } }`;
// What a delta says of a node the view draws: its place (null until the layout has kept one), its
// community and its caption; and of a link, the id graphView gives the same link.
const CHANGED_NODE = "__typename id ... on Placed { position { x y z } community title }";
const CHANGED_LINK = "id type sourceId targetId weight";
const CHANGES = `subscription Changes($since: Int) { graphChanged(since: $since) { sequence
  nodesAdded { ${CHANGED_NODE} } nodesUpdated { ${CHANGED_NODE} } nodesRemoved { id }
  linksAdded { ${CHANGED_LINK} } linksUpdated { ${CHANGED_LINK} } linksRemoved { ${CHANGED_LINK} } } }`;
const COLOURS = ["#5b7cfa", "#f59e0b", "#10b981", "#ef4444", "#a855f7", "#06b6d4", "#84cc16", "#ec4899",
  "#f97316", "#14b8a6", "#eab308", "#8b5cf6"];

const state = { token: sessionStorage.getItem("kindred-token"), nodes: new Map(), links: new Map(),
  opened: new Set(), expanded: new Set(), live: "none", refreshes: 0, deltas: 0, sequence: 0,
  pending: new Map(), highlighted: new Set(), graph: null };
window.kindredExplorer = state; // what a test (or a curious person at the console) can look at

const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };

async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const answer = await response.json();
  if (answer.errors && answer.errors.length) {
    const error = new Error(answer.errors[0].message);
    error.code = answer.errors[0].extensions && answer.errors[0].extensions.code;
    throw error;
  }
  return answer.data;
}

function colourOf(node) {
  if (node.label === "Community") return "#cbd5e1";
  return COLOURS[(node.community ?? 0) % COLOURS.length];
}

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
  draw();
}

// One graphChanged delta, applied in place: a node is drawn once it has a place (a new one gets it from
// the layout's PositionsChanged right after), moved where the server moved it, and a link drawn once
// both its ends are. A node updated that is not drawn is in a super-node: it stays folded.
function apply(delta) {
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
  draw();
}

function place(change, added) {
  if (!("position" in change)) return; // a node the view does not draw (a document, the user)
  const drawn = state.nodes.get(change.id);
  const node = drawn || state.pending.get(change.id);
  if (!node && !added) return;
  const target = node || { id: change.id, label: change.__typename, colourKey: change.__typename, size: 2, evolution: null, members: null };
  if (change.title != null) target.name = change.title;
  if (change.community != null) target.community = change.community;
  if (change.position) {
    const { x, y, z } = change.position;
    Object.assign(target, { x, y, z, fx: x, fy: y, fz: z });
    state.pending.delete(change.id);
    state.nodes.set(change.id, target);
  } else if (!drawn) {
    state.pending.set(change.id, target);
  }
}

function draw() {
  const nodes = [...state.nodes.values()];
  const end = (node) => (typeof node === "object" ? node.id : node);
  const links = [...state.links.values()]
    .map((link) => ({ ...link, source: end(link.source), target: end(link.target) }))
    .filter((link) => state.nodes.has(link.source) && state.nodes.has(link.target));
  if (!state.graph) {
    state.graph = ForceGraph3D()($("scene"))
      .backgroundColor("#0b1020")
      .nodeId("id")
      // The label is drawn as HTML: a name is the user's own text, so it is escaped.
      .nodeLabel((node) => escapeHtml(`${node.name} (${node.label}${node.evolution ? ", " + node.evolution.toLowerCase() : ""})`))
      .nodeVal((node) => (node.label === "Community" ? Math.cbrt(node.size) * 4 : node.size))
      .nodeColor((node) => (state.highlighted.has(node.id) ? "#ffffff" : colourOf(node)))
      .linkWidth((link) => (link.type === "Community" ? 1.5 : 0.4))
      .linkOpacity(0.35)
      .cooldownTicks(0) // the server owns the layout: no simulation here
      .onNodeClick(open);
    state.graph.graphData({ nodes, links });
    frame(nodes);
  } else {
    state.graph.graphData({ nodes, links });
  }
  const shown = nodes.length;
  $("status").dataset.nodes = String(shown);
  status(`${shown} nodes, ${links.length} links · live: ${state.live}`);
}

// Looks at the whole picture once, from in front of its centre.
function frame(nodes) {
  if (!nodes.length) return;
  const centre = ["x", "y", "z"].map((axis) => nodes.reduce((sum, node) => sum + node[axis], 0) / nodes.length);
  const radius = Math.max(...nodes.map((node) => Math.hypot(node.x - centre[0], node.y - centre[1], node.z - centre[2])), 50);
  const look = { x: centre[0], y: centre[1], z: centre[2] };
  state.graph.cameraPosition({ x: centre[0], y: centre[1], z: centre[2] + radius * 1.7 }, look, 0);
}

async function refresh() {
  const data = await gql(VIEW, { max: BUDGET });
  state.refreshes += 1;
  state.sequence = data.graphView.sequence;
  merge(data.graphView, true);
}

async function open(node) {
  try {
    if (node.label === "Community") {
      const data = await gql(EXPAND, { id: node.id });
      state.nodes.delete(node.id);
      state.expanded.add(node.id);
      for (const found of data.expandCommunity.nodes) state.opened.add(found.id);
      merge(data.expandCommunity, false);
    } else {
      const data = await gql(NEIGHBOURS, { id: node.id });
      for (const found of data.neighbourhood.nodes) state.opened.add(found.id);
      merge(data.neighbourhood, false);
    }
    if (state.graph) state.graph.cameraPosition({ x: node.x * 1.4 + 80, y: node.y * 1.4 + 80, z: node.z * 1.4 + 200 }, node, 800);
  } catch (error) {
    status(`Could not open it: ${error.message}`);
  }
}

async function search(event) {
  event.preventDefault();
  const query = $("query").value.trim();
  if (!query) return;
  try {
    const data = await gql(SEARCH, { q: query });
    state.highlighted = new Set(data.search.map((hit) => hit.node.id));
    $("hits").replaceChildren(...data.search.map((hit) => {
      const item = document.createElement("li");
      // The kind first: a hit is read as "Recipient: Hana", not as a bare fragment of text.
      item.textContent = `${hit.node.__typename}: ${hit.matched.text.slice(0, 60)}`;
      item.onclick = () => { const node = state.nodes.get(hit.node.id); if (node) open(node); };
      return item;
    }));
    draw();
  } catch (error) {
    status(`Search: ${error.message}`);
  }
}

// graphChanged when the server has it, from the view's sequence on (so nothing made since the view was
// read is lost), resumed from the last delta after a dropped socket; a subscription the server ends
// (fallen too far behind) is made good by a fresh view. Without it, the view is fetched every REFRESH_MS.
async function follow() {
  let fields = [];
  try {
    const data = await gql(HAS_LIVE);
    fields = (data.__schema.subscriptionType?.fields || []).map((field) => field.name);
  } catch (error) {
    fields = [];
  }
  if (fields.includes("graphChanged")) subscribe();
  else {
    state.live = `refetch every ${REFRESH_MS / 1000} s`;
    setInterval(() => refresh().catch((error) => status(error.message)), REFRESH_MS);
  }
}

// How long to wait before subscribing again after the server ended a subscription: doubling from 1 s to
// 30 s while it keeps ending them (its pub/sub down, say), back to 1 s once a delta arrives.
let retryMs = 1000;

function subscribe() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  const socket = new WebSocket(url, "graphql-transport-ws");
  let operation = 0;
  const start = () => {
    if (socket.readyState !== WebSocket.OPEN) return; // closed meanwhile: onclose subscribes anew
    state.live = "graphChanged";
    operation += 1;
    const payload = { query: CHANGES, variables: { since: state.sequence } };
    socket.send(JSON.stringify({ id: String(operation), type: "subscribe", payload }));
  };
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${state.token}` } }));
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "connection_ack") {
      start();
    } else if (frame.type === "next") {
      if (frame.payload.data) {
        retryMs = 1000;
        apply(frame.payload.data.graphChanged);
      } else status(frame.payload.errors?.[0]?.message || "A change could not be read.");
    } else if (frame.type === "error" || frame.type === "complete") {
      state.live = `resubscribing in ${retryMs / 1000} s`;
      setTimeout(() => refresh().catch((error) => status(error.message)).finally(start), retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    } else if (frame.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    }
  };
  socket.onclose = () => { state.live = "reconnecting"; setTimeout(subscribe, 2000); };
}

async function start() {
  $("login").classList.add("hidden");
  $("search").classList.remove("hidden");
  status("Loading your graph...");
  await refresh();
  await follow();
  draw();
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
$("search").addEventListener("submit", search);
if (state.token) start().catch(() => { sessionStorage.removeItem("kindred-token"); location.reload(); });

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
