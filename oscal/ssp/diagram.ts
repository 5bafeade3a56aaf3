/**
 * The network architecture and data flow as an SVG drawn from the same
 * pod groups and peer declarations the NetworkPolicies are derived from:
 * one box per namespace holding one box per pod group, the Cilium entities
 * (API server, hosts, world) in a row above, and one arrow per allowed flow.
 * Hand-written and deterministic: a grid layout, no layout library.
 */
import type { FlowEnd, NetworkView } from '../../output/model.js';

const COLS = 4;
const NS_W = 300;
const GROUP_H = 26;
const GAP = 40;
const HEAD = 30;
const PAD = 10;
const ENTITY_W = 160;
const ENTITY_H = 34;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function key(e: FlowEnd): string {
  return 'entity' in e ? `entity:${e.entity}` : `${e.component}/${e.pods}`;
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Where a line from the centre of `a` toward `b` leaves `a`'s border. */
function edge(a: Box, b: Box): [number, number] {
  const cx = a.x + a.w / 2;
  const cy = a.y + a.h / 2;
  const dx = b.x + b.w / 2 - cx;
  const dy = b.y + b.h / 2 - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const t = Math.min(dx === 0 ? Infinity : a.w / 2 / Math.abs(dx), dy === 0 ? Infinity : a.h / 2 / Math.abs(dy));
  return [cx + dx * t, cy + dy * t];
}

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** The SVG of `network` (UTF-8 text), titled `title`. */
export function networkDiagram(network: NetworkView, title: string): string {
  const namespaces = [...new Set(network.podGroups.map((g) => g.namespace))].sort();
  const entities = [...new Set(network.flows.flatMap((f) => [f.from, f.to]).filter((e): e is { entity: string } => 'entity' in e).map((e) => e.entity))].sort();
  const boxes = new Map<string, Box>();
  const parts: string[] = [];
  const back: string[] = [];
  const top = 50;
  entities.forEach((e, i) => {
    const b = { x: PAD + 20 + i * (ENTITY_W + GAP), y: top, w: ENTITY_W, h: ENTITY_H };
    boxes.set(`entity:${e}`, b);
    parts.push(`<g class="entity"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="17"/><text x="${b.x + b.w / 2}" y="${b.y + 22}" text-anchor="middle">${esc(e)}</text></g>`);
  });
  const gridTop = top + ENTITY_H + 60;
  const rows: number[] = [];
  const nsGroups = namespaces.map((ns) => network.podGroups.filter((g) => g.namespace === ns));
  nsGroups.forEach((groups, i) => {
    const row = Math.floor(i / COLS);
    rows[row] = Math.max(rows[row] ?? 0, HEAD + groups.length * (GROUP_H + 6) + PAD);
  });
  const rowY = rows.map((_, r) => gridTop + rows.slice(0, r).reduce((a, h) => a + h + GAP, 0));
  nsGroups.forEach((groups, i) => {
    const ns = namespaces[i]!;
    const x = PAD + (i % COLS) * (NS_W + GAP);
    const y = rowY[Math.floor(i / COLS)]!;
    const h = rows[Math.floor(i / COLS)]!;
    back.push(`<g class="namespace"><rect x="${x}" y="${y}" width="${NS_W}" height="${h}" rx="6"/><text x="${x + 10}" y="${y + 20}" class="ns-title">namespace ${esc(ns)}</text></g>`);
    groups.forEach((g, j) => {
      const b = { x: x + PAD, y: y + HEAD + j * (GROUP_H + 6), w: NS_W - 2 * PAD, h: GROUP_H };
      boxes.set(`${g.component}/${g.name}`, b);
      const label = g.name === g.component ? g.name : `${g.component} · ${g.name}`;
      parts.push(`<g class="pods"><title>${esc(`${g.component}/${g.name}: ${g.ports.join(', ') || 'no ports'}`)}</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="4"/><text x="${b.x + 8}" y="${b.y + 17}">${esc(label)}</text></g>`);
    });
  });
  // One arrow per pair of ends; its title lists every port and reason.
  const pairs = new Map<string, { from: string; to: string; lines: string[] }>();
  for (const f of network.flows) {
    const k = `${key(f.from)}>${key(f.to)}`;
    const p = pairs.get(k) ?? { from: key(f.from), to: key(f.to), lines: [] };
    p.lines.push(`${f.ports}${f.fqdns ? ` (${f.fqdns.join(', ')})` : ''}: ${f.reason}`);
    pairs.set(k, p);
  }
  const arrows: string[] = [];
  for (const p of [...pairs.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1))) {
    const a = boxes.get(p.from);
    const b = boxes.get(p.to);
    if (!a || !b || a === b) continue;
    const [x1, y1] = edge(a, b);
    const [x2, y2] = edge(b, a);
    arrows.push(`<g class="flow"><title>${esc(`${p.from} → ${p.to}\n${p.lines.join('\n')}`)}</title><line x1="${r1(x1)}" y1="${r1(y1)}" x2="${r1(x2)}" y2="${r1(y2)}" marker-end="url(#arrow)"/></g>`);
  }
  const width = PAD * 2 + Math.max(COLS * (NS_W + GAP) - GAP, entities.length * (ENTITY_W + GAP) + 20);
  const height = (rowY.length > 0 ? rowY[rowY.length - 1]! + rows[rows.length - 1]! : gridTop) + PAD * 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="t d">`,
    `<title id="t">${esc(title)}</title>`,
    `<desc id="d">${esc(`${network.podGroups.length} pod groups in ${namespaces.length} namespaces and ${network.flows.length} allowed flows; every other flow is denied by the derived NetworkPolicies.`)}</desc>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#1f4e79"/></marker></defs>',
    '<style>text{font:13px sans-serif;fill:#111}.ns-title{font-weight:bold}.namespace rect{fill:#f3f6fa;stroke:#5a6b7d}.pods rect{fill:#fff;stroke:#1f4e79}.entity rect{fill:#fff4e0;stroke:#8a5a00}.flow line{stroke:#1f4e79;stroke-width:1.2;opacity:.7}</style>',
    `<text x="${PAD}" y="24" style="font-size:16px;font-weight:bold">${esc(title)}</text>`,
    // Namespaces behind, then the arrows, then pod groups and entities on top so their labels stay readable.
    ...back,
    ...arrows,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
