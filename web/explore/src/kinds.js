// How each kind of node looks: a colour and a shape of its own, in the order of the server's kinds
// (the ViewLabel enum), so a legend can say what each means; a concept's evolution as rings around it;
// a gift's outcomes as a halo on the gift. Communities (super-nodes) are pale, see-through spheres.
import * as THREE from "three";

const COLOURS = ["#60a5fa", "#f87171", "#fbbf24", "#a3e635", "#c084fc", "#22d3ee", "#fb923c", "#e2e8f0",
  "#34d399", "#e879f9", "#facc15", "#94a3b8", "#f472b6", "#2dd4bf", "#a78bfa", "#fda4af", "#f59e0b"];
// One shape per kind, none alike (the graph draws seventeen kinds; a person is always the sphere, the last).
const SHAPES = [
  ["octahedron", (r) => new THREE.OctahedronGeometry(r * 1.25)],
  ["cube", (r) => new THREE.BoxGeometry(r * 1.5, r * 1.5, r * 1.5)],
  ["diamond", (r) => new THREE.OctahedronGeometry(r * 1.1).scale(0.75, 1.7, 0.75)], // tall, unlike the octahedron
  ["cone", (r) => new THREE.ConeGeometry(r, r * 2, 12)],
  ["tetrahedron", (r) => new THREE.TetrahedronGeometry(r * 1.4)],
  ["dodecahedron", (r) => new THREE.DodecahedronGeometry(r * 1.1)],
  ["cylinder", (r) => new THREE.CylinderGeometry(r, r, r * 1.6, 12)],
  ["icosahedron", (r) => new THREE.IcosahedronGeometry(r * 1.2, 0)],
  ["prism", (r) => new THREE.CylinderGeometry(r * 1.2, r * 1.2, r * 0.7, 6)], // a flat hexagonal tile
  ["torus", (r) => new THREE.TorusGeometry(r * 0.9, r * 0.4, 10, 24)], // a ring: a series, round in time
  ["capsule", (r) => new THREE.CapsuleGeometry(r * 0.6, r * 1.2, 4, 12)],
  ["knot", (r) => new THREE.TorusKnotGeometry(r * 0.75, r * 0.22, 48, 8)],
  ["pyramid", (r) => new THREE.ConeGeometry(r * 1.2, r * 1.7, 4)], // four-sided, unlike the round cone
  ["star", (r) => new THREE.ExtrudeGeometry(star(r * 1.4), { depth: r * 0.5, bevelEnabled: false }).center()],
  ["crystal", (r) => new THREE.CylinderGeometry(r * 0.55, r * 0.55, r * 2.2, 6)], // tall, unlike the flat tile
  ["cup", (r) => new THREE.LatheGeometry(cup(r * 1.2), 16).center()], // a trophy's cup
  ["sphere", (r) => new THREE.SphereGeometry(r, 16, 12)],
];
// A cup's profile, turned about its axis: a foot, a stem, a bowl `size` wide.
function cup(size) {
  return [[0.45, 0], [0.45, 0.1], [0.12, 0.2], [0.12, 0.55], [0.5, 0.75], [0.6, 1.25], [0.55, 1.3]]
    .map(([x, y]) => new THREE.Vector2(x * size, y * size));
}
// A five-pointed star's outline, `radius` to its points.
function star(radius) {
  const shape = new THREE.Shape();
  for (let i = 0; i < 10; i += 1) {
    const r = i % 2 === 0 ? radius : radius * 0.45;
    const angle = (i / 10) * Math.PI * 2 + Math.PI / 2;
    const [x, y] = [Math.cos(angle) * r, Math.sin(angle) * r];
    if (i === 0) shape.moveTo(x, y);
    else shape.lineTo(x, y);
  }
  return shape;
}

export const EVOLUTION_RINGS = { SEED: 0, SPROUT: 1, BLOOM: 2, CONSTELLATION: 3, SUPERNOVA: 4 };
export const COMMUNITY = "Community";

// Labels as the server names them (Recipient, GiftOutcome, ...), in the enum's order; the enum gives
// them in capitals, so a label seen in a view is matched to its place there.
export function kindsOf(enumNames, seen) {
  const order = new Map(enumNames.map((name, index) => [name, index]));
  const labels = [...new Set(seen)].filter((label) => label !== COMMUNITY);
  labels.sort((a, b) => (order.get(a.toUpperCase()) ?? 99) - (order.get(b.toUpperCase()) ?? 99) || a.localeCompare(b));
  return labels.map((label) => {
    const index = order.get(label.toUpperCase()) ?? labels.indexOf(label) + enumNames.length;
    // Recipients (people) are spheres: the shape a person reads as a person in every graph tool.
    // The person has the sphere, so the others count without it: each kind its own shape.
    const other = index > (order.get("RECIPIENT") ?? Infinity) ? index - 1 : index;
    const shape = label === "Recipient" ? SHAPES[SHAPES.length - 1] : SHAPES[other % (SHAPES.length - 1)];
    return { label, colour: COLOURS[index % COLOURS.length], shape: shape[0], make: shape[1] };
  });
}

// The radius a node is drawn with: 3d-force-graph's nodeVal is a volume, so its cube root.
export const radiusOf = (node) => (node.label === COMMUNITY ? Math.cbrt(node.size) * 5 : Math.cbrt(node.size) * 3.2);

// One node's object: its shape in its kind's colour, rings for a card's evolution, a halo for a
// gift with outcomes. Materials are the node's own, so focus can dim it alone.
export function objectOf(node, kind, outcomes) {
  const group = new THREE.Group();
  const r = radiusOf(node);
  if (node.label === COMMUNITY) {
    const material = new THREE.MeshLambertMaterial({ color: "#cbd5e1", transparent: true, opacity: 0.35 });
    group.add(new THREE.Mesh(new THREE.SphereGeometry(r, 20, 14), material));
    return group;
  }
  const material = new THREE.MeshLambertMaterial({ color: kind ? kind.colour : "#94a3b8", transparent: true, opacity: 0.95 });
  group.add(new THREE.Mesh((kind ? kind.make : SHAPES[SHAPES.length - 1][1])(r), material));
  const rings = EVOLUTION_RINGS[node.evolution] || 0;
  for (let i = 0; i < rings; i += 1) {
    const ring = new THREE.Mesh(new THREE.TorusGeometry(r * (1.7 + i * 0.45), 0.35, 6, 36),
      new THREE.MeshBasicMaterial({ color: "#fde68a", transparent: true, opacity: 0.8 }));
    ring.rotation.x = Math.PI / 2 + i * 0.5;
    group.add(ring);
  }
  if (outcomes > 0) { // a gift's outcomes, folded onto it: a halo, one ring whatever their number
    const halo = new THREE.Mesh(new THREE.TorusGeometry(r * 1.9, 0.6, 8, 40),
      new THREE.MeshBasicMaterial({ color: "#f9a8d4", transparent: true, opacity: 0.9 }));
    group.add(halo);
  }
  return group;
}

// Dims (or brightens) every material of a node's object.
export function shade(object, dimmed) {
  if (!object) return;
  object.traverse((part) => {
    if (!part.material) return;
    if (part.userData.opacity === undefined) part.userData.opacity = part.material.opacity;
    part.material.opacity = dimmed ? 0.08 : part.userData.opacity;
  });
}

// A community's region: a faint sphere where its members lie.
export function regionOf(region) {
  const material = new THREE.MeshBasicMaterial({ color: "#818cf8", transparent: true, opacity: 0.045, depthWrite: false });
  const mesh = new THREE.Mesh(new THREE.SphereGeometry(Math.max(region.radius * 1.15, 20), 24, 16), material);
  mesh.position.set(region.x, region.y, region.z);
  mesh.userData.region = region.id;
  return mesh;
}
