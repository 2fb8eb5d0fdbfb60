// The explorer's side of the page: the legend (which also filters), the breadcrumbs of focus, the
// detail panel of the focused node, and the search box's suggestions. Plain DOM; what it shows is the
// user's own text, so it is set as text, never as HTML.
import { COMMUNITY, EVOLUTION_RINGS } from "./kinds.js";

const $ = (id) => document.getElementById(id);
const make = (tag, text, className) => {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
};

// One row per kind drawn: its swatch and shape, its count, and a box that shows or hides it.
export function legend(kinds, counts, hidden, toggle) {
  const rows = kinds.map((kind) => {
    const row = make("label", undefined, "kind");
    row.dataset.label = kind.label;
    const box = make("input");
    box.type = "checkbox";
    box.checked = !hidden.has(kind.label);
    box.onchange = () => toggle(kind.label, box.checked);
    const swatch = make("span", "", "swatch");
    swatch.style.background = kind.colour;
    swatch.dataset.shape = kind.shape;
    const note = kind.label === "GiftOutcome" ? " (shown as a pink halo on their gift)" : "";
    row.append(box, swatch, make("span", `${kind.label} · ${kind.shape}${note}`), make("span", String(counts.get(kind.label) || 0), "count"));
    return row;
  });
  const rings = Object.entries(EVOLUTION_RINGS).map(([state, n]) => `${state.toLowerCase()} ${n}`).join(", ");
  $("legend").replaceChildren(...rows, make("div", `Concept rings: ${rings}. Pale spheres: folded communities (click to open); faint regions: communities, named.`, "hint"));
}

export function breadcrumbs(trail, titleOf, go) {
  const parts = [make("a", "Overview")];
  parts[0].onclick = () => go(-1);
  trail.forEach((id, index) => {
    parts.push(make("span", " › "));
    const crumb = make("a", titleOf(id));
    crumb.onclick = () => go(index);
    parts.push(crumb);
  });
  $("crumbs").replaceChildren(...parts);
  $("crumbs").classList.toggle("hidden", trail.length === 0);
}

// The focused node: its fields, its links grouped by kind (each a way to focus the other end), its
// documents (opened from their signed URLs) and its timeline.
// A field's value as a person reads it: a time to the minute, an enum's value in words (`enumerated`),
// an object as its pairs.
const TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)[^ ]*$/;
export function readable(value, enumerated = false) {
  if (Array.isArray(value)) return value.map((item) => readable(item, enumerated)).join(", ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([key, inner]) => `${key}: ${readable(inner)}`).join("; ");
  }
  if (typeof value !== "string") return String(value);
  const time = TIME.exec(value);
  if (time) return `${time[1]} ${time[2]} UTC`;
  return enumerated ? value.toLowerCase().replace(/_/g, " ") : value;
}

// An event's kind as words: "MENTIONSLinked" is "MENTIONS linked", "MessageCreated" "message created".
const eventWords = (kind) => {
  const linked = /^([A-Z_]+)(Linked|Unlinked)$/.exec(kind);
  if (linked) return `${linked[1].toLowerCase().replace(/_/g, " ")} ${linked[2].toLowerCase()}`;
  return kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
};

export function detail({ node, fields, documents, groups, timeline, around, messages }, go) {
  const panel = $("detail");
  const title = make("h2", node.name);
  const kind = make("div", `${node.label}${node.evolution ? ` · ${node.evolution.toLowerCase()}` : ""}`, "kindline");
  const table = make("dl");
  for (const [name, value, enumerated] of fields) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
    table.append(make("dt", name), make("dd", readable(value, enumerated)));
  }
  const links = make("div", undefined, "links");
  groups.forEach(([type, ends], index) => {
    const group = make("details");
    group.open = index === 0 || ends.length <= 8; // the biggest group, and the small ones, open
    group.dataset.type = type;
    group.append(make("summary", `${type} (${ends.length})`));
    const list = make("ul");
    for (const end of ends) {
      const item = make("li");
      const anchor = make("a", `${end.name} · ${end.label}`);
      anchor.onclick = () => go(end.id);
      item.append(anchor);
      list.append(item);
    }
    group.append(list);
    links.append(group);
  });
  const docs = make("ul", undefined, "documents");
  for (const doc of documents) {
    const item = make("li");
    const anchor = make("a", `${doc.filename} (${doc.kind.toLowerCase()})`);
    anchor.href = doc.url;
    anchor.target = "_blank";
    anchor.rel = "noopener";
    item.append(anchor);
    if (doc.mime.startsWith("audio/")) {
      const player = make("audio");
      player.controls = true;
      player.preload = "none";
      player.src = doc.url;
      item.append(player);
    }
    docs.append(item);
  }
  const events = make("ol", undefined, "timeline");
  for (const event of timeline) events.append(make("li", `#${event.sequence} ${eventWords(event.kind)} · ${readable(event.at)}`));
  // A conversation's messages are folded into it (not drawn): its latest turns, said by whom.
  const said = make("ol", undefined, "messages");
  for (const message of messages || []) {
    const who = message.recipient ? message.recipient.name : message.role.toLowerCase();
    said.append(make("li", `${who}: ${message.text || "(voice note, not transcribed yet)"}`));
  }
  // Its neighbours drawn into the picture, a page at a time (the most heavily linked first).
  const more = make("div", undefined, "around");
  if (around && node.label !== COMMUNITY) {
    const drawn = around.drawn ? `${around.drawn} neighbours drawn. ` : "";
    if (around.more) {
      const anchor = make("a", `${drawn}Draw ${around.drawn ? "the next" : "its"} ${around.page} neighbours (more)`, "more");
      anchor.onclick = () => { anchor.textContent = "Drawing..."; around.load(); };
      more.append(anchor);
    } else more.append(make("span", `${drawn}All its neighbours are drawn.`));
  }
  const close = make("button", "×", "close");
  close.title = "Back (Escape)";
  close.onclick = () => go(null);
  panel.replaceChildren(close, title, kind, more, table,
    ...(messages && messages.length ? [make("h3", "Messages (latest)"), said] : []),
    ...(groups.length ? [make("h3", "Links"), links] : []),
    ...(documents.length ? [make("h3", "Documents"), docs] : []),
    ...(timeline.length ? [make("h3", "Timeline"), events] : []));
  panel.classList.remove("hidden");
  panel.dataset.id = node.id;
}

export function closeDetail() {
  $("detail").classList.add("hidden");
  delete $("detail").dataset.id;
}

// Suggestions under the search box: each with its title and kind; picking one flies to it.
export function suggest(hits, pick) {
  const items = hits.map((hit, index) => {
    const item = make("li");
    item.append(make("span", hit.title || "(untitled)"), make("span", ` ${hit.label}`, "kindtag"));
    item.dataset.id = hit.id;
    item.dataset.index = String(index);
    item.onmousedown = (event) => { event.preventDefault(); pick(hit); };
    return item;
  });
  $("hits").replaceChildren(...items);
}

export function notice(text, fly, className) {
  const line = $("notice");
  if (!text) { line.replaceChildren(); return; }
  const anchor = make("a", text, className);
  anchor.onclick = fly;
  line.replaceChildren(anchor);
}

export const isCommunity = (node) => node.label === COMMUNITY;
