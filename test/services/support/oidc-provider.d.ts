/** Minimal typing of oidc-provider (it ships none) for the test issuer. */
declare module 'oidc-provider' {
  import type { RequestListener } from 'node:http';
  /** An OpenID Provider. */
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    /** Node request handler of the provider. */
    callback(): RequestListener;
  }
}
