import { UserError } from '../errors.ts';
import type { ImportedTargetGroupId } from '../iac/types.ts';
import { parseTarget } from './serve-inputs.ts';

/**
 * `serve --target`: `--target URL` is where every listener forwards; with --from, `--target GROUP=URL`
 * (repeatable) binds one target group of the configuration, by its logical ID, resource address
 * (or its last part) or name. A group with no binding goes to `--target URL`, else to the echo target.
 */

const invalid = (message: string) => new UserError('HARNESS_ERR_INVALID_ARGUMENT', message);

export interface TargetBindings {
  /** `--target URL`. */
  every?: string;
  /** `--target GROUP=URL`, by the group's id. */
  byGroup: ReadonlyMap<string, string>;
}

/** A URL with a scheme is a URL even when its query holds `=`. */
const looksLikeUrl = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !value.includes('=');

const describeGroup = (g: ImportedTargetGroupId) => (g.name !== undefined ? `${g.id} (name ${g.name})` : g.id);

/** Matches a group's id exactly, its last part (`api` of `aws_lb_target_group.api`), or its name. */
function groupsNamed(groups: readonly ImportedTargetGroupId[], wanted: string): ImportedTargetGroupId[] {
  const exact = groups.filter((g) => g.id === wanted || g.name === wanted);
  return exact.length > 0 ? exact : groups.filter((g) => g.id.endsWith(`.${wanted}`) || g.id.endsWith(`/${wanted}`));
}

/**
 * Parses every --target. `groups` are the imported configuration's target groups (undefined without
 * --from); `source` names the configuration in messages.
 */
export function parseTargetFlags(values: readonly string[] | undefined, groups: readonly ImportedTargetGroupId[] | undefined, source?: string): TargetBindings {
  let every: string | undefined;
  const byGroup = new Map<string, string>();
  for (const value of values ?? []) {
    if (looksLikeUrl(value)) {
      if (every !== undefined) throw invalid(`--target ${value}: --target URL is given twice (the first was ${every}); it is where every listener forwards. Give it once, and bind a target group with --target GROUP=URL.`);
      every = parseTarget(value);
      continue;
    }
    const at = value.indexOf('=');
    const name = value.slice(0, at);
    if (groups === undefined) throw invalid(`--target ${value}: --target GROUP=URL binds a target group of --from FILE. Without --from there is one listener: use --target URL.`);
    const listing = groups.length === 0 ? `its listeners forward to no target group it names, so use --target URL` : `its target groups: ${groups.map(describeGroup).join(', ')}`;
    const found = groupsNamed(groups, name);
    if (found.length !== 1) throw invalid(`--target ${value}: ${found.length === 0 ? 'no' : 'more than one'} target group '${name}' in ${source ?? '--from'} (${listing}).`);
    const group = found[0]!;
    if (byGroup.has(group.id)) throw invalid(`--target ${value}: target group ${group.id} is already bound to ${byGroup.get(group.id)!}. Bind each group once.`);
    byGroup.set(group.id, groupUrl(value, name, value.slice(at + 1)));
  }
  return { every, byGroup };
}

function groupUrl(value: string, name: string, url: string): string {
  try {
    return parseTarget(url);
  } catch {
    throw invalid(`--target ${value}: "${url}" is not an http:// or https:// URL. Use e.g. --target ${name}=http://127.0.0.1:8080.`);
  }
}

/** Where a listener forwarding to `group` sends its requests; undefined = the echo target. */
export function targetOf(bindings: TargetBindings, group: ImportedTargetGroupId | undefined): string | undefined {
  return (group && bindings.byGroup.get(group.id)) ?? bindings.every;
}
