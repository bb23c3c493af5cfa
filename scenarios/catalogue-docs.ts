import { CATALOGUE } from './catalogue/all.ts';
import { stepName, stepText } from './steps.ts';
import { SEED_SECTIONS, type Scenario, type ScenarioGroup } from './types.ts';

/** Where `npm run readme` writes the catalogue page, relative to the repository root. */
export const CATALOGUE_DOCS_PATH = 'docs/scenarios.md';

const SEED_SOURCE = 'The seed page "Connect to an AWS ALB with mTLS" (Zuplo docs), section';

/** One line saying what the run shows at the ALB and the gateway. */
export function outcomeOf(s: Scenario): string {
  const e = s.expected;
  const verdict = e.tlsVerifyStatus ? `ALB \`${e.tlsVerifyStatus}\`` : 'no ALB verdict';
  const failure = e.failureClass ? `, failure class \`${e.failureClass}\`` : '';
  const refused = e.albRefuses ? `The ALB refuses the trust store at load (\`${e.albRefuses.code}\`); after the fix: ` : '';
  const caller = s.caller === 'h2-client' ? 'an HTTP/2 client (no gateway) gets' : 'gateway answers';
  return `${refused}${caller} ${e.status}, ${verdict}${failure}.`;
}

/**
 * The catalogue as one markdown page: per group, each scenario's title, id, outcome, explanation,
 * fix and source. Pure: the same catalogue always gives the same text (test/scenarios/docs.test.ts).
 */
export function scenarioDocsMarkdown(list: readonly Scenario[] = CATALOGUE): string {
  const out = [
    '# Scenario catalogue',
    '',
    `Generated from \`scenarios/catalogue/\` by \`npm run readme\`; do not edit by hand. ${list.length} scenarios.`,
    'Run one with `alb-mtls run <id>`, all with `npm start`.',
  ];
  for (const group of Object.keys(SEED_SECTIONS) as ScenarioGroup[]) {
    const members = list.filter((s) => s.group === group);
    if (members.length === 0) continue;
    out.push('', `## ${SEED_SECTIONS[group]}`, '', `Group \`${group}\`, ${members.length} scenario${members.length === 1 ? '' : 's'}.`);
    for (const s of members) {
      out.push(
        '',
        `### ${s.title}`,
        '',
        `- **Id:** \`${s.id}\``,
        `- **Outcome:** ${outcomeOf(s)}`,
        ...(s.steps ? ['- **Then, on the same running ALB and gateway:**', ...s.steps.map((step, i) => `  - \`${stepName(i)}\` ${stepText(step)}`)] : []),
        `- **What happened:** ${s.explanation}`,
        `- **Fix:** ${s.fix}`,
        `- **Source:** ${s.source ?? `${SEED_SOURCE} "${s.seedSection}".`}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
