// Captions as HTML over the canvas: crisp at any zoom, and chosen so they never overlap. Every few frames
// the nodes are scored by importance over distance to the camera (the focused node, its neighbours and
// new nodes first), and captioned in that order while their boxes on screen stay apart, up to a cap.
// So zooming in shows more names, of what is near; zooming out, only the most important.

export const MAX_CAPTIONS = 40;
const CHAR_PX = 6.6; // the caption font's average width per character, to size a box before drawing it
const LINE_PX = 18;

export function captioner(layer, graph) {
  const shown = new Map(); // node id -> its caption element
  const boxes = new Map(); // node id -> its box on screen, as last placed
  const place = (node, element) => {
    const { x, y } = graph.graph2ScreenCoords(node.x, node.y, node.z);
    element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y - 10)}px) translate(-50%, -100%)`;
    return { x, y };
  };
  return {
    shown,
    boxes,
    // Chooses which nodes are captioned now. `nodes` are the visible ones; `boost(node)` is how much a
    // node must be seen (0 for most).
    choose(nodes, boost) {
      const camera = graph.camera().position;
      const width = layer.clientWidth;
      const height = layer.clientHeight;
      const scored = nodes.map((node) => {
        const distance = Math.hypot(node.x - camera.x, node.y - camera.y, node.z - camera.z) || 1;
        return { node, score: (node.size + boost(node) * 1000) / distance };
      }).sort((a, b) => b.score - a.score);
      const chosen = [];
      const taken = [];
      for (const { node } of scored) {
        if (chosen.length >= MAX_CAPTIONS) break;
        const { x, y } = graph.graph2ScreenCoords(node.x, node.y, node.z);
        if (!(x > 0 && y > 0 && x < width && y < height)) continue;
        const w = Math.min(node.name.length, 32) * CHAR_PX + 10;
        const box = { left: x - w / 2, right: x + w / 2, top: y - 10 - LINE_PX, bottom: y - 10 };
        if (taken.some((other) => box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom)) continue;
        taken.push(box);
        chosen.push([node, box]);
      }
      const keep = new Set(chosen.map(([node]) => node.id));
      for (const [id, element] of shown) if (!keep.has(id)) { element.remove(); shown.delete(id); boxes.delete(id); }
      for (const [node, box] of chosen) {
        let element = shown.get(node.id);
        if (!element) {
          element = document.createElement("div");
          element.className = "caption";
          layer.appendChild(element);
          shown.set(node.id, element);
        }
        const text = node.name.length > 32 ? `${node.name.slice(0, 31)}…` : node.name;
        if (element.textContent !== text) element.textContent = text;
        element.dataset.id = node.id;
        element.classList.toggle("boosted", boost(node) > 0);
        boxes.set(node.id, box);
      }
    },
    // Moves the captions chosen with the picture (every frame: the camera may be moving).
    follow(byId) {
      for (const [id, element] of shown) {
        const node = byId.get(id);
        if (node) place(node, element);
      }
    },
  };
}

// Region names, at each community's centre, behind the captions. Where two would overlap on screen, the
// larger community's name is written and the other's waits until the camera parts them.
export function regionNames(layer, graph) {
  const shown = [];
  return {
    set(regions) {
      for (const { element } of shown) element.remove(); // the regions drawn before
      shown.length = 0;
      for (const region of [...regions].sort((a, b) => (b.size ?? 0) - (a.size ?? 0) || a.id - b.id)) {
        const element = document.createElement("div");
        element.className = "region";
        element.textContent = region.name;
        element.dataset.id = String(region.id);
        layer.appendChild(element);
        // Measured once (a layout per frame would cost the frame); estimated while the layer is hidden,
        // and measured the first time it is drawn (an estimate too small let two names overlap).
        const measured = element.offsetWidth > 0;
        const width = element.offsetWidth || region.name.length * 10 + 8;
        const height = element.offsetHeight || 20;
        shown.push({ element, region, width, height, measured });
      }
    },
    follow(visible) {
      const taken = [];
      const [screenWidth, screenHeight] = [layer.clientWidth || innerWidth, layer.clientHeight || innerHeight];
      for (const entry of shown) {
        const { element, region } = entry;
        if (!entry.measured && element.offsetWidth > 0) {
          [entry.width, entry.height, entry.measured] = [element.offsetWidth, element.offsetHeight, true];
        }
        const { width, height } = entry;
        const { x, y } = graph.graph2ScreenCoords(region.x, region.y, region.z);
        const box = { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 };
        // A name off the screen is not written, and keeps no room from one on it.
        const onScreen = box.right > 0 && box.left < screenWidth && box.bottom > 0 && box.top < screenHeight;
        const clear = visible && onScreen && !taken.some((other) => box.left < other.right
          && other.left < box.right && box.top < other.bottom && other.top < box.bottom);
        if (clear) taken.push(box);
        element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px) translate(-50%, -50%)`;
        element.style.display = clear ? "" : "none";
      }
    },
  };
}
