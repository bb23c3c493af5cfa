import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Location, S3Upload } from './model.ts';
import { iacError, locate } from './source-text.ts';

/**
 * Where an S3 object named by the configuration is read from, in this order: an explicit `--s3
 * s3://BUCKET/KEY=PATH`, an upload the configuration itself makes from a local file (Terraform
 * `aws_s3_object.source`, a CDK asset or BucketDeployment), then `--s3-root DIR` as `DIR/BUCKET/KEY`.
 */
export interface S3Sources {
  /** `s3://bucket/key` -> local path. */
  explicit: Readonly<Record<string, string>>;
  uploads: readonly S3Upload[];
  root?: string;
}

/** Parses `s3://BUCKET/KEY=PATH` (the `--s3` flag) into its URL and path. */
export function parseS3Mapping(text: string, flag = '--s3'): [url: string, path: string] {
  const m = /^(s3:\/\/[^/=]+\/[^=]+)=(.+)$/.exec(text);
  if (!m) throw iacError(flag, `"${text}"`, 'is not s3://BUCKET/KEY=PATH', `Use e.g. ${flag} s3://my-bucket/ca/bundle.pem=./bundle.pem`);
  return [m[1]!, resolve(m[2]!)];
}

export const s3Url = (loc: { bucket: string; key: string }) => `s3://${loc.bucket}/${loc.key}`;

/** The local file for an object, or null. */
export function localPathOf(loc: S3Location, sources: S3Sources): string | null {
  const url = s3Url(loc);
  if (sources.explicit[url]) return sources.explicit[url]!;
  const upload = sources.uploads.find((u) => u.bucket === loc.bucket && u.key === loc.key);
  if (upload) return upload.path;
  if (sources.root) return join(sources.root, loc.bucket, loc.key);
  return null;
}

/** Reads an object's text; a missing one is an error naming the bucket, the key and the flags that supply it. */
export async function readS3Object(loc: S3Location, sources: S3Sources, file: string, lineOf?: (pointer: string) => number | undefined): Promise<{ path: string; text: string }> {
  const where = locate(loc.at, lineOf);
  const path = localPathOf(loc, sources);
  const fix = `Pass --s3 ${s3Url(loc)}=PATH, or --s3-root DIR with the object at DIR/${loc.bucket}/${loc.key}`;
  if (!path) throw iacError(file, where, `S3 object ${s3Url(loc)} (bucket ${loc.bucket}, key ${loc.key}) has no local copy`, fix);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw iacError(file, where, `S3 object ${s3Url(loc)} (bucket ${loc.bucket}, key ${loc.key}) maps to ${path}, which cannot be read (${code})`, fix);
  }
}
