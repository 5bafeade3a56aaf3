/**
 * The Platform construct: composes the components of the stack for one
 * profile. Construct ids here are a contract: they name manifest files,
 * seed OSCAL UUIDs and form Terraform addresses.
 */
import { Construct } from 'constructs';
import type { Profile } from '../profiles/profile.generated.js';
import { ControlPlane, CONTROL_PLANE_NAMESPACE } from './ai-runtime/control-plane/control-plane.js';
import { Component } from './kit/component.js';
import type { ImageSpec } from './kit/image.js';
import { Nats } from './data/nats/nats.js';
import { Distribution } from './distribution/distribution/distribution.js';
import { Cilium } from './network/cilium/cilium.js';

/** Props of the platform. */
export interface PlatformProps {
  readonly profile: Profile;
}

/** The whole stack for one profile. */
export class Platform extends Construct {
  /** The profile it was built for. */
  readonly profile: Profile;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    this.profile = props.profile;
    const profile = props.profile;
    new Distribution(this, 'distribution', { profile, images: () => this.images() });
    new Cilium(this, 'cilium', { profile });
    new Nats(this, 'nats', { profile, clientNamespaces: [CONTROL_PLANE_NAMESPACE] });
    new ControlPlane(this, 'control-plane', { profile });
  }

  /** Components in construct order. */
  get components(): Component[] {
    return this.node.findAll().filter((c): c is Component => c instanceof Component);
  }

  /** Every image of every component, first declaration wins. */
  images(): ImageSpec[] {
    const seen = new Map<string, ImageSpec>();
    for (const c of this.components) for (const i of c.images) seen.set(`${i.registry}/${i.repository}:${i.tag}`, seen.get(`${i.registry}/${i.repository}:${i.tag}`) ?? i);
    return [...seen.values()];
  }
}
