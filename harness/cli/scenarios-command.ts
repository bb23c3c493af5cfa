import { scenarios, SEED_SECTIONS, statusSequence, stepLines } from '../../scenarios/index.ts';
import { parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';

export const scenariosHelp = `Usage: alb-mtls scenarios [--json]

Lists every scenario id and title, grouped by the section of the Zuplo guide
("Connect to an AWS ALB with mTLS") it reproduces. Run one with "alb-mtls run ID".

Options:
  --json   Print [{id, title, seedSection, expected: {status, tlsVerifyStatus, failureClass}, steps?}]
           (steps: a multi-step scenario's steps after its first request, each with its expected outcome)`;

export async function scenariosCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('scenarios', argv, { json: { type: 'boolean' } });
  if (values.help) {
    io.out(scenariosHelp);
    return 0;
  }
  if (values.json) {
    const list = scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      seedSection: s.seedSection,
      expected: { status: s.expected.status, tlsVerifyStatus: s.expected.tlsVerifyStatus, failureClass: s.expected.failureClass },
      ...(s.steps ? { steps: stepLines(s) } : {}),
    }));
    io.out(JSON.stringify(list, null, 2));
    return 0;
  }
  const width = Math.max(...scenarios.map((s) => s.id.length));
  for (const [group, heading] of Object.entries(SEED_SECTIONS)) {
    const members = scenarios.filter((s) => s.group === group);
    if (members.length === 0) continue;
    io.out(paint(io, 'bold', `${heading}`));
    for (const s of members) io.out(`  ${s.id.padEnd(width)}  ${s.title}${s.steps ? paint(io, 'dim', ` (${s.steps.length} steps: ${statusSequence(s)})`) : ''}`);
    io.out('');
  }
  io.out(`${scenarios.length} scenarios. Run one with "alb-mtls run ID", all with "alb-mtls run --all".`);
  return 0;
}
