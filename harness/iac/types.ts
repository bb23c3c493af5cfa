import type { AlbOptions, ListenerOptions, LoadBalancerOptions } from '../alb/types.ts';
import type { IacFormat } from './model.ts';

export type { IacFormat } from './model.ts';

/** Inputs to `importAlbConfig` and `importLoadBalancerConfig`: the same as `alb-mtls serve --from`. */
export interface ImportAlbConfigOptions {
  /**
   * A CloudFormation template (JSON or YAML), a `cdk.out/` directory, a Terraform `.tf` file or module
   * directory, the JSON of `terraform show -json`, a Kubernetes Ingress (YAML), or AWS CLI
   * `describe-listeners` output (a file, or a directory holding it beside `describe-listener-attributes`
   * and `describe-load-balancer-attributes` output).
   */
  from: string;
  /** Which listener, when the configuration has several HTTPS listeners: its logical ID, address, ARN or `Stack/LogicalId`. */
  listener?: string;
  /** Which load balancer, when the configuration has HTTPS listeners on several: its logical ID, address, ARN or Ingress group, as the error listing them shows. */
  loadBalancer?: string;
  /** Reads `s3://BUCKET/KEY` from `DIR/BUCKET/KEY` when nothing else supplies the object. */
  s3Root?: string;
  /** One object each: `s3://BUCKET/KEY` -> local path. Wins over everything else. */
  s3?: Readonly<Record<string, string>>;
  /** Terraform `var.` values (over `terraform.tfvars`), CloudFormation parameters, pseudo parameters, `Fn::ImportValue` exports. */
  vars?: Readonly<Record<string, string>>;
  /** The CA bundle file, for formats that name a trust store without saying where its bundle is (Ingress, describe-*). Overrides the configuration's own, for every verify listener. */
  trustStoreBundle?: string;
  /** Extra PEM CRL files added as trust-store revocations (of every verify listener). */
  revocations?: readonly string[];
}

/** A listener as the configuration names it. Its port is shown, not bound (the emulator listens where it is told). */
export interface ImportedListenerId {
  id: string;
  protocol?: string;
  port?: number;
}

/** The trust store a verify listener loads, and what it holds. */
export interface ImportedTrustStoreSummary {
  id: string;
  name?: string;
  bundlePath: string;
  /** RFC 2253 subjects of the CA certificates, in bundle order. */
  caSubjects: string[];
  revocations: { path: string; issuer: string; revokedSerials: number }[];
}

/** What was imported: the options for `startAlb` (add `certificate` and `targets`) and what they came from. */
export interface ImportedAlbConfig {
  format: IacFormat;
  source: string;
  listener: ImportedListenerId;
  albOptions: Omit<AlbOptions, 'certificate'>;
  trustStore?: ImportedTrustStoreSummary;
  /** Things ignored, mapped or assumed, one sentence each. */
  notes: string[];
}

/** One HTTPS listener of an imported load balancer. */
export interface ImportedListenerConfig {
  listener: ImportedListenerId;
  /** `startAlb`'s `listeners[i]` without a port (add one, or leave it 0 for any free port). */
  options: Omit<ListenerOptions, 'certificate' | 'port'>;
  trustStore?: ImportedTrustStoreSummary;
}

/** Every HTTPS listener of one load balancer, as `startAlb({ listeners })` options. */
export interface ImportedLoadBalancerConfig {
  format: IacFormat;
  source: string;
  /** The load balancer as the configuration names it, when it says. */
  loadBalancer?: string;
  /** In the configuration's order; `loadBalancerOptions.listeners[i]` is `listeners[i].options`. */
  listeners: ImportedListenerConfig[];
  /** `startAlb` options (add `certificate` and `targets`): the load-balancer attributes shared, each listener's own settings in `listeners`. */
  loadBalancerOptions: Omit<LoadBalancerOptions, 'certificate'>;
  /** Things ignored, mapped or assumed, one sentence each. */
  notes: string[];
}
