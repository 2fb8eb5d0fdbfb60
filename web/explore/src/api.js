// Kindred's GraphQL over HTTP and graphChanged over graphql-transport-ws: what the explorer asks, and
// how it follows changes. A front-end developer can copy this file whole.

export const ENDPOINT = "/graphql";

const NODE = "id label name x y z size community colourKey evolution members";
const LINK = "id source target type weight";
const REGION = "id name size x y z radius";
export const VIEW = `query View($max: Int!) { graphView(maxNodes: $max) { totalCount hiddenCount sequence
  nodes { ${NODE} } links { ${LINK} } communities { ${REGION} } } }`;
export const AROUND = `query Around($id: ID!) { graphView(center: $id, depth: 1, maxNodes: 60) {
  nodes { ${NODE} } links { ${LINK} } } }`;
// The graph as it was at an earlier sequence of the event log (the time slider): today's places.
export const PAST = `query Past($max: Int!, $asOf: Int!) { graphView(maxNodes: $max, asOf: $asOf) { totalCount
  hiddenCount sequence nodes { ${NODE} } links { ${LINK} } communities { ${REGION} } } }`;
// A super-node's members, page by page: its `max` most important (the cut is by importance, so a bigger
// budget holds the smaller one's members), with how many are left.
export const EXPAND = `query Expand($id: ID!, $max: Int!) { expandCommunity(id: $id, maxNodes: $max) {
  totalCount hiddenCount nodes { ${NODE} } links { ${LINK} } } }`;
export const NEIGHBOURS = `query Neighbours($id: ID!, $after: String, $first: Int = 50) {
  neighbourhood(id: $id, first: $first, after: $after) {
  nodes { ${NODE} } links { ${LINK} } pageInfo { hasNextPage endCursor } } }`;
export const SEARCH = `query Search($q: String!) { search(query: $q, first: 8) {
  score matched { text } node { __typename id ... on Placed { title } } } }`;
export const LABELS = `{ __type(name: "ViewLabel") { enumValues { name } } }`;
export const HAS_LIVE = `{ __schema { subscriptionType { fields { name } } } }`;
export const FIELDS = `query Fields($name: String!) { __type(name: $name) { fields { name
  args { type { kind } defaultValue } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`;
export const TIMELINE = `query Timeline($id: ID!) { timeline(id: $id, last: 40) { edges { node { sequence kind at } } } }`;
// A conversation's latest messages (they are folded into it, not drawn), and a message's conversation.
export const MESSAGES = `query Messages($id: ID!) { node(id: $id) { ... on Conversation { messages(last: 8) {
  edges { node { id role text recipient { name } } } } } } }`;
export const HELD_IN = `query HeldIn($id: ID!) { node(id: $id) { ... on Message { conversation { id } } } }`;

// What a delta says of a node: its place (null until the layout has kept one), its community and its
// caption; of a link, the id graphView gives the same link. The layout's moves come as one compact
// `positions` delta (ids and x, y, z, community columns), not as a node updated per moved node.
const CHANGED_NODE = "__typename id ... on Placed { position { x y z } community title } ... on Concept { evolution } ... on Memory { evolution }";
const CHANGED_LINK = "id type sourceId targetId weight";
export const CHANGES = `subscription Changes($since: Int) { graphChanged(since: $since, layout: true) { sequence kind
  nodesAdded { ${CHANGED_NODE} } nodesUpdated { ${CHANGED_NODE} } nodesRemoved { id }
  linksAdded { ${CHANGED_LINK} } linksUpdated { ${CHANGED_LINK} } linksRemoved { ${CHANGED_LINK} }
  positions { ids x y z community } } }`;

export function client(getToken) {
  return async function gql(query, variables = {}) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const answer = await response.json();
    if (answer.errors && answer.errors.length) {
      const error = new Error(answer.errors[0].message);
      error.code = answer.errors[0].extensions && answer.errors[0].extensions.code;
      throw error;
    }
    return answer.data;
  };
}

// graphChanged from a sequence on, resumed after a dropped socket from the last delta heard. `on` gets
// each delta (on.delta), what the live line should say (on.live: "connecting", "subscribed",
// "reconnecting in N s", ...) and, when the server ended the subscription (fallen too far behind), a
// request to read the view afresh before subscribing again (on.resync, which returns a promise).
export function follow({ token, since, on }) {
  let sequence = since;
  let retryMs = 1000; // doubles while the server keeps ending subscriptions, back to 1 s on a delta
  let operation = 0;
  const connect = () => {
    on.live("connecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
    const socket = new WebSocket(url, "graphql-transport-ws");
    const start = () => {
      if (socket.readyState !== WebSocket.OPEN) return; // closed meanwhile: onclose connects anew
      operation += 1;
      socket.send(JSON.stringify({ id: String(operation), type: "subscribe", payload: { query: CHANGES, variables: { since: sequence } } }));
      on.live("subscribed");
    };
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token()}` } }));
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "connection_ack") start();
      else if (frame.type === "next") {
        if (frame.payload.data) {
          retryMs = 1000;
          sequence = frame.payload.data.graphChanged.sequence;
          on.delta(frame.payload.data.graphChanged);
        } else on.problem(frame.payload.errors?.[0]?.message || "A change could not be read.");
      } else if (frame.type === "error" || frame.type === "complete") {
        on.live(`resubscribing in ${retryMs / 1000} s`);
        setTimeout(() => on.resync().then((fresh) => { sequence = fresh; }).catch((e) => on.problem(e.message)).finally(start), retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      } else if (frame.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
    };
    socket.onclose = () => { on.live("reconnecting"); setTimeout(connect, 2000); };
  };
  connect();
  return { since: (value) => { sequence = value; } };
}
