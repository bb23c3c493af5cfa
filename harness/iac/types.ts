import type { AlbOptions } from '../alb/types.ts';
import type { IacFormat } from './model.ts';

export type { IacFormat } from './model.ts';

/** Inputs to `importAlbConfig`: the same as `alb-mtls serve --from`. */
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
  /** Reads `s3://BUCKET/KEY` from `DIR/BUCKET/KEY` when nothing else supplies the object. */
  s3Root?: string;
  /** One object each: `s3://BUCKET/KEY` -> local path. Wins over everything else. */
  s3?: Readonly<Record<string, string>>;
  /** Terraform `var.` values (over `terraform.tfvars`), CloudFormation parameters, pseudo parameters, `Fn::ImportValue` exports. */
  vars?: Readonly<Record<string, string>>;
  /** The CA bundle file, for formats that name a trust store without saying where its bundle is (Ingress, describe-*). Overrides the configuration's own. */
  trustStoreBundle?: string;
  /** Extra PEM CRL files added as trust-store revocations. */
  revocations?: readonly string[];
}

/** What was imported: the options for `startAlb` (add `certificate` and `targets`) and what they came from. */
export interface ImportedAlbConfig {
  format: IacFormat;
  source: string;
  listener: { id: string; protocol?: string; port?: number };
  albOptions: Omit<AlbOptions, 'certificate'>;
  trustStore?: {
    id: string;
    name?: string;
    bundlePath: string;
    /** RFC 2253 subjects of the CA certificates, in bundle order. */
    caSubjects: string[];
    revocations: { path: string; issuer: string; revokedSerials: number }[];
  };
  /** Things ignored, mapped or assumed, one sentence each. */
  notes: string[];
}
