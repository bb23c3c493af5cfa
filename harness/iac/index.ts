/** Importing a real ALB configuration (CloudFormation, CDK, Terraform, Kubernetes, AWS CLI) into `startAlb` options. */
export { importAlbConfig, importLoadBalancerConfig } from './import-config.ts';
export { describeImport, describeLoadBalancerImport } from './summary.ts';
export { parseS3Mapping } from './s3-objects.ts';
export type * from './types.ts';
