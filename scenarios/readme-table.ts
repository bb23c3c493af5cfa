import { CATALOGUE } from './catalogue/all.ts';
import { statusSequence } from './steps.ts';
import type { Scenario } from './types.ts';

/** The README markers between which `scripts/update-readme-table.ts` writes the table. */
export const TABLE_START = '<!-- scenarios:start -->';
export const TABLE_END = '<!-- scenarios:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The scenario catalogue as a markdown table (one row per scenario, in catalogue order): id, the
 * seed heading it reproduces, what the gateway answers, the ALB's tls_verify_status and the
 * gateway's failure class. Pure: the same catalogue always gives the same text.
 */
export function scenarioTableMarkdown(list: readonly Scenario[] = CATALOGUE): string {
  const rows = [
    '| Scenario | Seed section | Gateway answers | ALB `tls_verify_status` | Failure class | What it shows |',
    '|---|---|---|---|---|---|',
    ...list.map((s) =>
      [
        `\`${s.id}\``,
        s.seedSection,
        s.expected.albRefuses ? `refused at load; ${s.expected.status} after the fix` : s.caller === 'h2-client' ? `${s.expected.status} (HTTP/2 client, no gateway)` : s.steps ? `${statusSequence(s)} (steps)` : String(s.expected.status),
        s.expected.tlsVerifyStatus ? `\`${s.expected.tlsVerifyStatus}\`` : '(none)',
        s.expected.failureClass ? `\`${s.expected.failureClass}\`` : '-',
        s.title,
      ]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
  ];
  return `${rows.join('\n')}\n`;
}
