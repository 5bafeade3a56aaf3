/**
 * The SSP as one self-contained HTML page (`oscal/ssp.html`) for the
 * accreditor: no external resource of any kind (styles, script and the
 * network diagram are inline), so it works from file:// with no network
 * request. Every control of the baseline is a table row rendered in the
 * HTML itself (readable without script and in print); a small script adds
 * search and filters by family, status and component. Statements link to
 * their evidence (file, object, field, value) and to the SBOM and CBOM
 * entries of their component, listed on the same page.
 */
import { imageName } from '../../constructs/kit/image.js';
import { catalog } from '../../controls/catalog.js';
import { isoTime } from '../../core/time.js';
import type { ComponentView, ResolvedClaim, ResolvedEvidence, SynthModel } from '../../output/model.js';
import { cryptoBomRef } from '../../supply-chain/cbom.js';
import { imageBomRef, modelBomRef } from '../../supply-chain/sbom-components.js';
import { CBOM_PATH, SBOM_PATH } from '../../contracts/output-paths.js';
import { hrefFrom } from '../component-definition-requirements.js';
import { COVERAGE_STATUSES, type ControlEntry, type CoverageStatus } from './control-status.js';
import type { Coverage } from './coverage.js';
import { modelDigestText } from './ssp.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-assets.js';

/** Output path of the report. */
export const REPORT_PATH = 'oscal/ssp.html';

const STATUS_TEXT: Record<CoverageStatus, string> = {
  implemented: 'Implemented',
  partial: 'Partial',
  planned: 'Planned',
  inherited: 'Inherited',
  'not-applicable': 'Not applicable',
  'not-addressed': 'Not addressed',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** An id usable in HTML and in a fragment. */
function anchor(prefix: string, ref: string): string {
  return `${prefix}-${ref.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
}

const out = (file: string): string => esc(hrefFrom(REPORT_PATH, file));

function value(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** SBOM entries of the component (its images and models) and the CBOM entries configured by the same objects as `claims`' evidence. */
function componentRefs(c: ComponentView, claims: readonly ResolvedClaim[]): string {
  const objects = new Set(claims.flatMap((cl) => cl.evidence.map((ev) => evidenceKey(ev))));
  const crypto = [...new Set(c.cryptoAssets.filter((a) => objects.has(evidenceKey(a.evidence))).map((a) => cryptoBomRef(c.id, a.type, a.name)))];
  const refs = [
    ...c.images.map((i) => `<a href="#${anchor('sbom', imageBomRef(i))}">${esc(imageName(i))}</a>`),
    ...c.models.map((m) => `<a href="#${anchor('sbom', modelBomRef(m))}">${esc(`${m.name} ${m.version}`)}</a>`),
    ...crypto.map((r) => `<a href="#${anchor('cbom', r)}">${esc(r.replace(/^crypto:[^:]+:/, ''))}</a>`),
  ];
  return refs.length > 0 ? `<p class="refs">SBOM/CBOM: ${refs.join(' · ')}</p>` : '';
}

/** The file and object a piece of evidence is in. */
function evidenceKey(ev: ResolvedEvidence): string {
  const o = ev.object;
  return `${ev.file} ${o ? `${o.apiVersion} ${o.kind} ${o.namespace ?? ''} ${o.name}` : ''}`;
}

function details(e: ControlEntry): string {
  const parts: string[] = [];
  for (const { component, claims } of e.claims) {
    parts.push(`<h4>${esc(component.info.title)} <span class="cid">(${esc(component.id)})</span></h4>`);
    for (const claim of claims) {
      parts.push(`<p>${esc(claim.statement)} <span class="claim-status">[${esc(claim.status)}]</span></p>`);
      parts.push('<ul class="evidence">');
      for (const ev of claim.evidence) {
        const o = ev.object ? `${ev.object.kind} ${ev.object.namespace ? `${ev.object.namespace}/` : ''}${ev.object.name}` : '(file)';
        parts.push(`<li><a href="${out(ev.file)}">${esc(ev.file)}</a> · ${esc(o)} · <code>${esc(ev.path)}</code> ${esc(ev.expectation.replace(/^(equals|contains) .*/s, '$1'))} <code>${esc(value(ev.actual))}</code></li>`);
      }
      parts.push('</ul>');
    }
    parts.push(componentRefs(component, claims));
  }
  for (const d of e.componentDuties) parts.push(`<p><strong>Customer responsibility</strong> (${esc(d.component.id)}): ${esc(d.statement)}${d.procedure ? ` — see ${esc(d.procedure)}` : ''}</p>`);
  if (e.responsibility) {
    const r = e.responsibility;
    parts.push(`<p><strong>Responsibility of ${esc(r.role)}</strong> [${esc(r.status)}]: ${esc(r.statement)}${r.reason ? ` Reason: ${esc(r.reason)}` : ''}</p>`);
  }
  if (e.inheritedFrom) parts.push(`<p><strong>Inherited</strong> from ${esc(e.inheritedFrom.title)} (${esc(e.inheritedFrom.party)}, authorized ${esc(e.inheritedFrom.dateAuthorized)}).</p>`);
  const params = Object.entries(e.parameters);
  if (params.length > 0) parts.push(`<p><strong>Parameters:</strong> ${params.map(([k, v]) => `<code>${esc(k)}</code> = ${esc(v)}`).join('; ')}</p>`);
  if (e.status === 'not-addressed') parts.push(`<p class="gap">${esc(e.reason ?? '')}</p>`);
  return parts.join('');
}

function row(e: ControlEntry): string {
  const c = e.control;
  const comps = e.claims.map((x) => x.component.id);
  const duty = e.componentDuties.map((d) => d.component.id);
  const by = [...new Set([...comps, ...duty])];
  const who = [...by.map((b) => esc(b)), ...(e.responsibility ? [esc(e.responsibility.role)] : []), ...(e.inheritedFrom ? [esc(e.inheritedFrom.party)] : [])];
  return `<tr id="${esc(c.id)}" data-family="${esc(c.family)}" data-status="${e.status}" data-components="${esc(by.join(' '))}"${e.inBaseline ? '' : ' data-beyond="true"'}><th scope="row"><a href="#${esc(c.id)}">${esc(c.label)}</a></th><td>${esc(c.title)}${e.inBaseline ? '' : ' <span class="beyond">(beyond the baseline)</span>'}</td><td><span class="badge s-${e.status}">${STATUS_TEXT[e.status]}</span></td><td>${who.join(', ') || '—'}</td><td><details><summary>Statement and evidence<span class="visually-hidden"> for ${esc(c.label)}</span></summary>${details(e)}</details></td></tr>`;
}

function coverageTable(cov: Coverage): string {
  const head = `<tr><th scope="col">Family</th>${COVERAGE_STATUSES.map((s) => `<th scope="col">${STATUS_TEXT[s]}</th>`).join('')}<th scope="col">Total</th></tr>`;
  const cell = (family: string, s: CoverageStatus, n: number): string => (n > 0 ? `<td><a href="#controls" class="filter-link" data-family="${esc(family)}" data-status="${s}">${n}</a></td>` : '<td>0</td>');
  const rows = cov.families.map((f) => `<tr><th scope="row">${esc(f.id.toUpperCase())} ${esc(f.title)}</th>${COVERAGE_STATUSES.map((s) => cell(f.id, s, f[s])).join('')}<td>${f.total}</td></tr>`);
  const total = `<tr class="total"><th scope="row">All families</th>${COVERAGE_STATUSES.map((s) => cell('', s, cov.overall[s])).join('')}<td>${cov.overall.total}</td></tr>`;
  const bar = COVERAGE_STATUSES.filter((s) => cov.overall[s] > 0)
    .map((s) => `<span class="seg s-${s}" style="flex-grow:${cov.overall[s]}" title="${STATUS_TEXT[s]}: ${cov.overall[s]}"></span>`)
    .join('');
  return `<div class="bar" aria-hidden="true">${bar}</div><table class="coverage"><caption>Baseline controls by family and status (select a number to filter the controls)</caption><thead>${head}</thead><tbody>${rows.join('')}${total}</tbody></table>`;
}

function inventorySection(model: SynthModel): string {
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const c of model.components) {
    for (const i of c.images) {
      const ref = imageBomRef(i);
      if (seen.has(ref)) continue;
      seen.add(ref);
      rows.push(`<tr id="${anchor('sbom', ref)}"><th scope="row">${esc(imageName(i))}</th><td>image</td><td>${i.digest ? `<code>${esc(i.digest)}</code>` : '<span class="badge s-partial">by tag only: not locked</span>'}</td><td>${esc(c.id)}</td><td><a href="${out(SBOM_PATH)}">${esc(ref)}</a></td></tr>`);
    }
    for (const m of c.models) {
      const ref = modelBomRef(m);
      if (seen.has(ref)) continue;
      seen.add(ref);
      rows.push(`<tr id="${anchor('sbom', ref)}"><th scope="row">${esc(`${m.name} ${m.version}`)}</th><td>model</td><td><code>${esc(modelDigestText(m).id)}</code></td><td>${esc(c.id)}</td><td><a href="${out(SBOM_PATH)}">${esc(ref)}</a></td></tr>`);
    }
  }
  return `<table><caption>Images and models (from the SBOM)</caption><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Digest</th><th scope="col">Component</th><th scope="col">SBOM entry</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function cryptoSection(model: SynthModel): string {
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const c of model.components) {
    for (const a of c.cryptoAssets) {
      const ref = cryptoBomRef(c.id, a.type, a.name);
      if (seen.has(ref)) continue;
      seen.add(ref);
      rows.push(`<tr id="${anchor('cbom', ref)}"><th scope="row">${esc(a.name)}</th><td>${esc(a.type)}</td><td>${esc(c.id)}</td><td>${esc(a.evidence.description)} (<a href="${out(a.evidence.file)}">${esc(a.evidence.file)}</a>)</td><td><a href="${out(CBOM_PATH)}">${esc(ref)}</a></td></tr>`);
    }
  }
  return `<table><caption>Cryptographic assets (from the CBOM)</caption><thead><tr><th scope="col">Asset</th><th scope="col">Type</th><th scope="col">Component</th><th scope="col">Configured by</th><th scope="col">CBOM entry</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function flowsTable(model: SynthModel): string {
  const net = model.network;
  if (!net) return '';
  const end = (e: (typeof net.flows)[number]['from']): string => ('entity' in e ? e.entity : `${e.component}/${e.pods}`);
  const rows = net.flows.map((f) => `<tr><td>${esc(end(f.from))}</td><td>${esc(end(f.to))}</td><td>${esc(f.ports)}${f.fqdns ? ` (${esc(f.fqdns.join(', '))})` : ''}</td><td>${esc(f.reason)}</td></tr>`);
  return `<details><summary>All ${net.flows.length} allowed flows</summary><table><caption>Allowed flows (everything else is denied)</caption><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Ports</th><th scope="col">Why</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

/** The report of `model`. */
export function emitReport(model: SynthModel, entries: readonly ControlEntry[], cov: Coverage, diagram: string): string {
  const p = model.profile;
  const families = Object.entries(catalog().families).filter(([id]) => cov.families.some((f) => f.id === id) || entries.some((e) => e.control.family === id));
  const components = model.components.map((c) => c.id);
  const title = `Sovra ${p.name}: System Security Plan`;
  const svg = diagram.replace(/^<svg /, '<svg class="diagram" ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<a class="skip" href="#controls">Skip to the controls</a>
<header>
<h1>${esc(title)}</h1>
<p>${esc(p.description)} Baseline: <strong>NIST SP 800-53 rev5 ${esc(p.baseline)}</strong> (${cov.overall.total} controls). Generated by Sovra ${esc(model.sovraVersion)} at ${esc(isoTime(model.epoch))} from the same model as the manifests; statuses say only what the output proves.</p>
<nav aria-label="Sections"><ul><li><a href="#coverage">Coverage</a></li><li><a href="#controls">Controls</a></li><li><a href="#network">Network</a></li><li><a href="#inventory">Inventory</a></li><li><a href="#crypto">Cryptography</a></li><li><a href="#documents">Documents</a></li></ul></nav>
</header>
<main>
<section id="coverage" aria-labelledby="coverage-h"><h2 id="coverage-h">Coverage</h2>
<p class="summary">${COVERAGE_STATUSES.map((s) => `<span class="badge s-${s}">${STATUS_TEXT[s]}: ${cov.overall[s]}</span>`).join(' ')}${cov.beyondBaseline.length > 0 ? ` · ${cov.beyondBaseline.length} more controls claimed beyond the baseline` : ''}</p>
${coverageTable(cov)}
</section>
<section id="controls" aria-labelledby="controls-h"><h2 id="controls-h">Controls</h2>
<form class="filters" role="search" onsubmit="return false">
<label>Search <input type="search" id="q" placeholder="id, title, statement, evidence" autocomplete="off"></label>
<label>Family <select id="f-family"><option value="">All</option>${families.map(([id, t]) => `<option value="${esc(id)}">${esc(id.toUpperCase())} ${esc(t)}</option>`).join('')}</select></label>
<label>Status <select id="f-status"><option value="">All</option>${COVERAGE_STATUSES.map((s) => `<option value="${s}">${STATUS_TEXT[s]}</option>`).join('')}</select></label>
<label>Component <select id="f-component"><option value="">All</option>${components.map((c) => `<option value="${esc(c)}">${esc(c)}</option>`).join('')}</select></label>
<button type="button" id="reset">Reset</button>
</form>
<p id="count" role="status" aria-live="polite">${entries.length} of ${entries.length} controls</p>
<table class="controls"><caption class="visually-hidden">Every control of the baseline with its status</caption><colgroup><col class="c-id"><col class="c-title"><col class="c-status"><col class="c-by"><col class="c-details"></colgroup><thead><tr><th scope="col">Control</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Addressed by</th><th scope="col">Statement and evidence</th></tr></thead>
<tbody id="control-rows">${entries.map(row).join('\n')}</tbody></table>
</section>
<section id="network" aria-labelledby="network-h"><h2 id="network-h">Network architecture and data flow</h2>
<p>Drawn from the peer declarations the NetworkPolicies are derived from: each arrow is an allowed flow; every other flow is denied.</p>
<div class="diagram-wrap">${svg}</div>
${flowsTable(model)}
</section>
<section id="inventory" aria-labelledby="inventory-h"><h2 id="inventory-h">Inventory</h2>${inventorySection(model)}</section>
<section id="crypto" aria-labelledby="crypto-h"><h2 id="crypto-h">Cryptography</h2>${cryptoSection(model)}</section>
<section id="documents" aria-labelledby="documents-h"><h2 id="documents-h">Documents</h2>
<ul><li><a href="ssp.json">ssp.json</a> (OSCAL SSP)</li><li><a href="poam.json">poam.json</a> (POA&amp;M)</li><li><a href="assessment-results.json">assessment-results.json</a></li><li><a href="coverage.json">coverage.json</a></li><li><a href="component-definition.json">component-definition.json</a></li><li><a href="${out(SBOM_PATH)}">${SBOM_PATH}</a></li><li><a href="${out(CBOM_PATH)}">${CBOM_PATH}</a></li></ul>
</section>
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
