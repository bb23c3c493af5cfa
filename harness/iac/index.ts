/** Importing a real ALB configuration (CloudFormation, CDK, Terraform, Kubernetes, AWS CLI) into `startAlb` options. */
export { importAlbConfig } from './import-config.ts';
export { describeImport } from './summary.ts';
export { parseS3Mapping } from './s3-objects.ts';
export type * from './types.ts';
