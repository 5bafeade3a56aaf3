/**
 * The OSCAL 1.1.3 System Security Plan of a profile (`oscal/ssp.json`): a
 * pure function of the synth model. It imports the profile's SP 800-53 rev5
 * baseline, describes the system from the profile and the component graph
 * (with the network diagram attached), lists users from the roles the
 * identity components define and inventory from the SBOM's images and
 * models, and states EVERY baseline control with the status the claims,
 * responsibilities and leveraged authorizations give it. UUIDs are UUIDv5
 * of stable keys; the document UUID of its content.
 */
import { imageName, imageRef } from '../../constructs/kit/image.js';
import { catalog } from '../../controls/catalog.js';
import { uuidV5 } from '../../core/hash.js';
import { isoTime } from '../../core/time.js';
import type { ComponentView, NetworkView, ResolvedClaim, SynthModel } from '../../output/model.js';
import { cryptoBomRef } from '../../supply-chain/cbom.js';
import { imageBomRef, modelBomRef } from '../../supply-chain/sbom-components.js';
import { CBOM_PATH, SBOM_PATH } from '../../contracts/output-paths.js';
import { PLATFORM_ROLE_ID, componentUuid, platformPartyUuid } from '../component-definition-ids.js';
import { PENDING_UUID } from '../document-text.js';
import { SITE_ROLE } from '../../profiles/builtin/responsibilities.js';
import { evidenceProps, hrefFrom, sovraProp } from '../component-definition-requirements.js';
import type { ControlEntry } from './control-status.js';
import { networkDiagram } from './diagram.js';
import { createHash } from 'node:crypto';
import { digestManifest, isServedModel, type DeclaredModel } from '../../contracts/served-model.js';

/** Output path of the SSP. */
export const SSP_PATH = 'oscal/ssp.json';
/** Output path of the network diagram (also embedded in the SSP's back-matter). */
export const DIAGRAM_PATH = 'oscal/network.svg';

/** Where NIST publishes the resolved baseline profiles named in the shipped catalog data. */
export const NIST_CONTENT_BASE = 'https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/';

/** Role of the organization that operates the site (the role the built-in responsibilities name). */
export const SITE_ROLE_ID = SITE_ROLE;

type Json = Record<string, unknown>;
type Prop = ReturnType<typeof sovraProp>;

/** UUID of the component that stands for the whole system (owner of organizational statements). */
export function thisSystemUuid(profile: string): string {
  return uuidV5(`ssp:this-system:${profile}`);
}
/** UUID of the implemented requirement of `control`. */
export function sspRequirementUuid(control: string): string {
  return uuidV5(`ssp:req:${control}`);
}
/** UUID of a by-component statement. */
export function byComponentUuid(componentKey: string, control: string): string {
  return uuidV5(`ssp:by-component:${componentKey}:${control}`);
}
/** UUID of the diagram resource in the back-matter. */
export function diagramResourceUuid(profile: string): string {
  return uuidV5(`ssp:resource:network-diagram:${profile}`);
}
function leveragedUuid(id: string): string {
  return uuidV5(`ssp:leveraged-authorization:${id}`);
}
function leveragedComponentUuid(id: string): string {
  return uuidV5(`ssp:leveraged-component:${id}`);
}

const ROLE_TITLES: Record<string, string> = {
  [PLATFORM_ROLE_ID]: 'Platform Engineering Team',
  [SITE_ROLE_ID]: 'System Owner (the organization that operates the site)',
};

function roleTitle(id: string): string {
  return ROLE_TITLES[id] ?? id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

function level(baseline: string): string {
  return `fips-199-${baseline.toLowerCase()}`;
}

function describeEnd(e: { entity: string } | { component: string; pods: string; namespace: string }): string {
  return 'entity' in e ? e.entity : `${e.component}/${e.pods} (${e.namespace})`;
}

function networkText(net: NetworkView | undefined): { architecture: string; dataFlow: string } {
  if (!net) return { architecture: 'The network view was not recorded for this model.', dataFlow: 'The network view was not recorded for this model.' };
  const namespaces = [...new Set(net.podGroups.map((g) => g.namespace))].sort();
  const architecture = [
    `The platform runs ${net.podGroups.length} pod groups in ${namespaces.length} namespaces (${namespaces.join(', ')}). Every pod group has a NetworkPolicy (and, toward Cilium entities, a CiliumNetworkPolicy) derived from the peer declarations below: it allows exactly the listed flows and DNS, and denies everything else in both directions.`,
    '',
    ...net.podGroups.map((g) => `- ${g.component}/${g.name} in ${g.namespace}: ${g.ports.join(', ') || 'serves no ports'}; NetworkPolicy ${g.networkPolicy.namespace ?? ''}/${g.networkPolicy.name}.`),
  ].join('\n');
  const dataFlow = [`${net.flows.length} allowed flows, each with the reason its declaration gives (source → destination, ports):`, '', ...net.flows.map((f) => `- ${describeEnd(f.from)} → ${describeEnd(f.to)}, ${f.ports}${f.fqdns ? ` to ${f.fqdns.join(', ')}` : ''}: ${f.reason}`)].join('\n');
  return { architecture, dataFlow };
}

/** SBOM and CBOM entries a component's statements concern: its images, models and crypto assets. */
function bomLinks(c: ComponentView): Json[] {
  const links: Json[] = [];
  for (const i of c.images) links.push({ href: `${hrefFrom(SSP_PATH, SBOM_PATH)}#${encodeURIComponent(imageBomRef(i))}`, rel: 'sbom-entry', text: imageBomRef(i) });
  for (const m of c.models) links.push({ href: `${hrefFrom(SSP_PATH, SBOM_PATH)}#${encodeURIComponent(modelBomRef(m))}`, rel: 'sbom-entry', text: modelBomRef(m) });
  const crypto = [...new Set(c.cryptoAssets.map((a) => cryptoBomRef(c.id, a.type, a.name)))];
  for (const ref of crypto) links.push({ href: `${hrefFrom(SSP_PATH, CBOM_PATH)}#${encodeURIComponent(ref)}`, rel: 'cbom-entry', text: ref });
  return links;
}

function setParameters(params: Readonly<Record<string, string>>): Json[] | undefined {
  const ids = Object.keys(params).sort();
  return ids.length > 0 ? ids.map((id) => ({ 'param-id': id, values: [params[id]!] })) : undefined;
}

function claimByComponent(e: ControlEntry, c: ComponentView, claims: readonly ResolvedClaim[]): Json {
  const props: Prop[] = [];
  const links: Json[] = [];
  const params: Record<string, string> = {};
  claims.forEach((claim, i) => {
    const g = `claim-${i + 1}`;
    props.push(sovraProp('claim-status', claim.status, { group: g, class: 'claim', remarks: claim.statement }));
    claim.evidence.forEach((ev, j) => {
      props.push(...evidenceProps(ev, `${g}-evidence-${j + 1}`));
      links.push({ href: hrefFrom(SSP_PATH, ev.file), rel: 'evidence', text: ev.description });
    });
    Object.assign(params, claim.parameters ?? {});
  });
  const duties = e.componentDuties.filter((d) => d.component === c);
  duties.forEach((d, i) => props.push(sovraProp('customer-responsibility', d.procedure ?? 'see statement', { group: `responsibility-${i + 1}`, class: 'responsibility', remarks: d.statement })));
  const statuses = claims.map((x) => x.status);
  const state = statuses.every((s) => s === 'implemented') && duties.length === 0 ? 'implemented' : statuses.every((s) => s === 'planned') ? 'planned' : 'partial';
  const sp = setParameters(params);
  return {
    'component-uuid': componentUuid(c.id),
    uuid: byComponentUuid(c.id, e.control.id),
    description: [...claims.map((x) => x.statement), ...duties.map((d) => `Customer responsibility: ${d.statement}`)].join('\n\n'),
    props,
    links: [...links, ...bomLinks(c)],
    ...(sp ? { 'set-parameters': sp } : {}),
    'implementation-status': { state },
    'responsible-roles': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
  };
}

function requirement(model: SynthModel, e: ControlEntry): Json {
  const id = e.control.id;
  const byComponents: Json[] = [];
  for (const { component, claims } of e.claims) byComponents.push(claimByComponent(e, component, claims));
  // A duty a component hands to the customer, on a control it claims nothing for.
  for (const d of e.componentDuties) {
    if (e.claims.some((x) => x.component === d.component)) continue;
    byComponents.push({
      'component-uuid': componentUuid(d.component.id),
      uuid: byComponentUuid(d.component.id, id),
      description: `Customer responsibility: ${d.statement}`,
      props: [sovraProp('customer-responsibility', d.procedure ?? 'see statement', { class: 'responsibility' })],
      'implementation-status': { state: 'planned', remarks: 'Left to the site by the component; planned until the profile states otherwise.' },
      'responsible-roles': [{ 'role-id': SITE_ROLE_ID }],
    });
  }
  const r = e.responsibility;
  if (r) {
    byComponents.push({
      'component-uuid': thisSystemUuid(model.profile.name),
      uuid: byComponentUuid('this-system', id),
      description: r.statement,
      props: [sovraProp('source', 'profile responsibilities'), ...(r.procedure ? [sovraProp('procedure', r.procedure)] : [])],
      'implementation-status': { state: r.status, ...(r.reason ? { remarks: r.reason } : {}) },
      'responsible-roles': [{ 'role-id': r.role }],
    });
  }
  if (e.inheritedFrom) {
    const a = e.inheritedFrom;
    byComponents.push({
      'component-uuid': leveragedComponentUuid(a.id),
      uuid: byComponentUuid(`leveraged:${a.id}`, id),
      description: `Inherited from ${a.title} (${a.party}, authorized ${a.dateAuthorized}).${a.statement ? ` ${a.statement}` : ''}`,
      props: [sovraProp('leveraged-authorization', a.id)],
      'implementation-status': { state: 'implemented', remarks: 'Inherited from a leveraged authorization.' },
    });
  }
  const roles = [...new Set([...(e.claims.length > 0 ? [PLATFORM_ROLE_ID] : []), ...(e.componentDuties.length > 0 && !r ? [SITE_ROLE_ID] : []), ...(r ? [r.role] : [])])];
  const sp = setParameters(e.parameters);
  return {
    uuid: sspRequirementUuid(id),
    'control-id': id,
    props: [
      sovraProp('coverage-status', e.status, { remarks: e.reason ?? `${e.control.label} ${e.control.title}` }),
      sovraProp('family', e.control.family),
      sovraProp('in-baseline', String(e.inBaseline)),
    ],
    ...(sp ? { 'set-parameters': sp } : {}),
    ...(roles.length > 0 ? { 'responsible-roles': roles.map((role) => ({ 'role-id': role })) } : {}),
    ...(byComponents.length > 0 ? { 'by-components': byComponents } : {}),
    ...(e.status === 'not-addressed' ? { remarks: `Not addressed. ${e.reason}` } : {}),
  };
}

function users(model: SynthModel): Json[] {
  const out: Json[] = [
    {
      uuid: uuidV5('ssp:user:platform-operator'),
      title: 'Platform operator',
      description: 'Runs the synth, reviews its output and installs it with Kubernetes cluster-admin rights (manifests, K3s/RKE2 host configuration, Terraform).',
      props: [{ name: 'type', value: 'internal' }, { name: 'privilege-level', value: 'privileged' }],
      'role-ids': [PLATFORM_ROLE_ID],
      'authorized-privileges': [{ title: 'cluster-admin', 'functions-performed': ['install and upgrade the platform', 'apply the synthesized manifests'] }],
    },
  ];
  for (const c of model.components) {
    for (const role of c.userRoles ?? []) {
      out.push({
        uuid: uuidV5(`ssp:user:${c.id}:${role.id}`),
        title: role.title,
        description: role.description,
        props: [
          { name: 'type', value: 'internal' },
          { name: 'privilege-level', value: role.privileged ? 'privileged' : 'non-privileged' },
          sovraProp('defined-by', c.id),
        ],
        'role-ids': [role.id],
        'authorized-privileges': [{ title: role.id, 'functions-performed': role.privileges.length > 0 ? [...role.privileges] : ['none'] }],
      });
    }
  }
  return out;
}

function inventory(model: SynthModel): Json[] {
  const items: Json[] = [];
  const seen = new Set<string>();
  for (const c of model.components) {
    for (const i of c.images) {
      const ref = imageBomRef(i);
      if (seen.has(ref)) continue;
      seen.add(ref);
      items.push({
        uuid: uuidV5(`ssp:inventory:${ref}`),
        description: i.digest ? `Container image ${imageName(i)}, pinned by digest.` : `Container image ${imageName(i)}, named by tag: images.lock.json does not pin it, so the bits it names are not fixed.`,
        props: [
          { name: 'asset-type', value: 'software' },
          { name: 'asset-id', value: imageRef(i) },
          { name: 'version', value: i.tag },
          sovraProp('sbom-bom-ref', ref),
          sovraProp('locked', String(Boolean(i.digest))),
          ...(i.digest ? [sovraProp('digest', i.digest)] : []),
        ],
        links: [{ href: `${hrefFrom(SSP_PATH, SBOM_PATH)}#${encodeURIComponent(ref)}`, rel: 'sbom-entry', text: ref }],
        'implemented-components': [{ 'component-uuid': componentUuid(c.id) }],
      });
    }
    for (const m of c.models) {
      const ref = modelBomRef(m);
      if (seen.has(ref)) continue;
      seen.add(ref);
      const digest = modelDigestText(m);
      items.push({
        uuid: uuidV5(`ssp:inventory:${ref}`),
        description: `Model weights ${m.name} ${m.version} (${m.format}), loaded only when ${digest.description}.`,
        props: [
          { name: 'asset-type', value: 'data' },
          { name: 'asset-id', value: `${m.name}@${digest.id}` },
          { name: 'version', value: m.version },
          sovraProp('sbom-bom-ref', ref),
          // The SBOM hashes a GGUF itself; a served model's files are its sub-components (or, unknown offline, absent).
          ...(isServedModel(m) ? (m.digests === 'declared' ? [sovraProp('digest-manifest', digest.id)] : []) : [sovraProp('digest', digest.id)]),
        ],
        links: [{ href: `${hrefFrom(SSP_PATH, SBOM_PATH)}#${encodeURIComponent(ref)}`, rel: 'sbom-entry', text: ref }],
        'implemented-components': [{ 'component-uuid': componentUuid(c.id) }],
      });
    }
  }
  return items;
}

function components(model: SynthModel): Json[] {
  const p = model.profile;
  const out: Json[] = [
    {
      uuid: thisSystemUuid(p.name),
      type: 'this-system',
      title: `Sovra ${p.name}`,
      description: 'The system as a whole: owner of the statements the site makes for organizational controls.',
      status: { state: 'under-development' },
      'responsible-roles': [{ 'role-id': SITE_ROLE_ID }],
    },
  ];
  for (const c of model.components) {
    out.push({
      uuid: componentUuid(c.id),
      type: c.images.length === 0 && c.charts.length === 0 ? 'software' : 'service',
      title: c.info.title,
      description: c.info.description,
      props: [sovraProp('component-id', c.id), sovraProp('layer', c.info.layer), sovraProp('namespace', c.info.namespace), { name: 'version', value: c.info.version }],
      links: [{ href: `component-definitions/${c.id}.json`, rel: 'component-definition' }],
      status: { state: 'operational' },
      'responsible-roles': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
    });
  }
  for (const a of p.leveragedAuthorizations ?? []) {
    out.push({
      uuid: leveragedComponentUuid(a.id),
      type: 'leveraged-system',
      title: a.title,
      description: a.statement ?? `System authorized for ${a.party}; the controls listed in the profile are inherited from it.`,
      props: [{ name: 'leveraged-authorization-uuid', value: leveragedUuid(a.id) }],
      status: { state: 'operational' },
    });
  }
  return out;
}

/** The SSP of `model` given its control entries (its own uuid PENDING_UUID until `documentText` writes it), and the network diagram it embeds. */
export function emitSsp(model: SynthModel, entries: readonly ControlEntry[]): { ssp: Json; diagram: string } {
  const p = model.profile;
  const time = isoTime(model.epoch);
  const source = catalog().source.baselines[p.baseline];
  if (!source) throw new Error(`catalog data has no ${p.baseline} baseline`);
  const diagram = networkDiagram(model.network ?? { podGroups: [], flows: [] }, `Sovra ${p.name}: network architecture and data flow`);
  const net = networkText(model.network);
  const diagramLink = [{ href: `#${diagramResourceUuid(p.name)}`, rel: 'diagram', text: 'Network architecture and data flow (SVG)' }];
  const roleIds = [...new Set([PLATFORM_ROLE_ID, SITE_ROLE_ID, ...entries.flatMap((e) => (e.responsibility ? [e.responsibility.role] : [])), ...model.components.flatMap((c) => (c.userRoles ?? []).map((r) => r.id))])];
  const userRoleDescriptions = new Map(model.components.flatMap((c) => (c.userRoles ?? []).map((r) => [r.id, { title: r.title, description: r.description }] as const)));
  const level_ = level(p.baseline);
  const items = inventory(model);
  const leveraged = (p.leveragedAuthorizations ?? []).map((a) => ({
    uuid: leveragedUuid(a.id),
    title: a.title,
    'party-uuid': uuidV5(`ssp:party:${a.party}`),
    'date-authorized': a.dateAuthorized,
  }));
  const parties = [
    { uuid: platformPartyUuid(), type: 'organization', name: 'Platform Engineering Team' },
    ...[...new Set((p.leveragedAuthorizations ?? []).map((a) => a.party))].map((name) => ({ uuid: uuidV5(`ssp:party:${name}`), type: 'organization', name })),
  ];
  const body = {
    metadata: {
      title: `Sovra ${p.name}: System Security Plan`,
      published: time,
      'last-modified': time,
      version: `${model.sovraVersion}+${p.name}`,
      'oscal-version': '1.1.3',
      props: [sovraProp('profile', p.name), sovraProp('baseline', p.baseline)],
      roles: roleIds.map((id) => ({ id, title: userRoleDescriptions.get(id)?.title ?? roleTitle(id), ...(userRoleDescriptions.get(id) ? { description: userRoleDescriptions.get(id)!.description } : {}) })),
      parties,
      'responsible-parties': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
    },
    'import-profile': {
      href: NIST_CONTENT_BASE + source.file,
      remarks: `${source.title} ${source.version}; Sovra ships its control list and baseline membership in controls/data/sp800-53r5.json, generated from this file.`,
    },
    'system-characteristics': {
      'system-ids': [{ 'identifier-type': 'https://sovra.dev/ns/oscal/system-id', id: `sovra-${p.name}` }],
      'system-name': `Sovra ${p.name}`,
      'system-name-short': p.name,
      description: `${p.description} ${p.distribution.kind.toUpperCase()} on ${p.distribution.nodes} node(s)${p.distribution.fips ? ', FIPS mode' : ''}${p.airGapped ? ', air-gapped' : ''}; installed as ${p.deploy}.`,
      props: [sovraProp('distribution', p.distribution.kind), sovraProp('fips', String(p.distribution.fips)), sovraProp('air-gapped', String(p.airGapped))],
      'security-sensitivity-level': level_,
      'system-information': {
        'information-types': [
          {
            uuid: uuidV5('ssp:information-type:ai-service-data'),
            title: 'AI service data',
            description: 'Prompts, completions, embeddings and retrieved documents the platform processes for its users, and the audit trail of those requests.',
            'confidentiality-impact': { base: level_ },
            'integrity-impact': { base: level_ },
            'availability-impact': { base: level_ },
          },
        ],
      },
      'security-impact-level': { 'security-objective-confidentiality': level_, 'security-objective-integrity': level_, 'security-objective-availability': level_ },
      status: { state: 'under-development', remarks: 'Generated by Sovra from the synthesized output; no authorization has been granted.' },
      'authorization-boundary': {
        description: `The boundary holds the ${p.distribution.kind.toUpperCase()} cluster and its hosts and the ${model.components.length} components Sovra installs on it (${model.components.map((c) => c.id).join(', ')}). Outside it: the site's identity sources and networks, and the systems listed as leveraged authorizations.`,
        diagrams: [{ uuid: uuidV5(`ssp:diagram:boundary:${p.name}`), description: 'Components by namespace inside the boundary, and the entities outside the cluster they exchange traffic with.', links: diagramLink, caption: 'Authorization boundary' }],
      },
      'network-architecture': {
        description: net.architecture,
        diagrams: [{ uuid: uuidV5(`ssp:diagram:network:${p.name}`), description: 'Pod groups by namespace; arrows are the only flows the NetworkPolicies allow.', links: diagramLink, caption: 'Network architecture' }],
      },
      'data-flow': {
        description: net.dataFlow,
        diagrams: [{ uuid: uuidV5(`ssp:diagram:data-flow:${p.name}`), description: 'Allowed flows between pod groups and entities, from the same declarations.', links: diagramLink, caption: 'Data flow' }],
      },
    },
    'system-implementation': {
      ...(leveraged.length > 0 ? { 'leveraged-authorizations': leveraged } : {}),
      users: users(model),
      components: components(model),
      ...(items.length > 0 ? { 'inventory-items': items } : {}),
    },
    'control-implementation': {
      description: `Every control of the ${source.title}, with the status Sovra derives from the components' claims (implemented only when every claim's evidence held in the written output), the profile's responsibilities and leveraged authorizations; controls nothing addresses are listed as not addressed. Controls claimed beyond the baseline follow.`,
      'implemented-requirements': entries.map((e) => requirement(model, e)),
    },
    'back-matter': {
      resources: [
        {
          uuid: diagramResourceUuid(p.name),
          title: 'Network architecture and data flow diagram',
          description: 'Generated from the pod groups and peer declarations of the synth model.',
          rlinks: [{ href: hrefFrom(SSP_PATH, DIAGRAM_PATH), 'media-type': 'image/svg+xml' }],
          base64: { filename: 'network.svg', 'media-type': 'image/svg+xml', value: Buffer.from(diagram, 'utf8').toString('base64') },
        },
      ],
    },
  };
  return { ssp: { 'system-security-plan': { uuid: PENDING_UUID, ...body } }, diagram };
}

/**
 * How a model's digests read in the inventory: a GGUF by its one SHA-256; a
 * served model directory by the SHA-256 of its digest manifest (every
 * file's digest, `sha256sum` format), or as supplied at install when the
 * profile does not list them (the server's verifier then needs the site's
 * manifest).
 */
export function modelDigestText(m: DeclaredModel): { id: string; description: string } {
  if (!isServedModel(m)) return { id: `sha256:${m.sha256}`, description: `its SHA-256 is ${m.sha256}` };
  if (m.digests === 'supplied-at-install') return { id: 'digests-supplied-at-install', description: 'every file matches the digest manifest the site supplies at install (not known offline)' };
  const manifest = createHash('sha256').update(digestManifest(m)).digest('hex');
  return { id: `sha256:${manifest}`, description: `every one of its ${m.files.length} files matches its declared SHA-256 (digest manifest sha256:${manifest})` };
}
