import { stepName } from './steps.ts';
import { stepOutcomeWords } from './trace.ts';
import type { ScenarioOutcome, StepResult } from './types.ts';

const stepLine = (step: StepResult) =>
  `${stepName(step.index)} ${step.label}${step.kind === 'request' ? `: ${stepOutcomeWords(step)}` : ''} [${step.passed ? 'as expected' : 'NOT as expected'}]`;

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 cannot carry most control characters, even escaped.
    // eslint-disable-next-line no-control-regex -- removing them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one testsuite per seed section, one testcase per scenario and TLS version. */
export function junitXml(outcomes: ScenarioOutcome[], seconds: number): string {
  const sections = new Map<string, ScenarioOutcome[]>();
  for (const o of outcomes) sections.set(o.scenario.seedSection, [...(sections.get(o.scenario.seedSection) ?? []), o]);
  const runs = outcomes.flatMap((o) => o.runs);
  const failures = runs.filter((r) => !r.passed).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="alb-mtls scenarios" tests="${runs.length}" failures="${failures}" time="${seconds.toFixed(3)}">`);
  for (const [section, list] of sections) {
    const sectionRuns = list.flatMap((o) => o.runs);
    const time = sectionRuns.reduce((t, r) => t + r.durationMs, 0) / 1000;
    out.push(`  <testsuite name="${escapeXml(section)}" tests="${sectionRuns.length}" failures="${sectionRuns.filter((r) => !r.passed).length}" time="${time.toFixed(3)}">`);
    for (const o of list) {
      for (const r of o.runs) {
        const name = escapeXml(`${r.id} [TLS ${r.tls}]`);
        const head = `    <testcase classname="scenarios.${escapeXml(o.scenario.group)}" name="${name}" time="${(r.durationMs / 1000).toFixed(3)}"`;
        // A multi-step run lists its steps (what each got) so a CI page shows where a rotation broke.
        const steps = r.steps ? `      <system-out>${escapeXml(r.steps.map(stepLine).join('\n'))}</system-out>` : undefined;
        if (r.passed && !steps) {
          out.push(`${head}/>`);
        } else {
          out.push(`${head}>`);
          if (!r.passed) out.push(`      <failure message="${escapeXml(r.mismatches[0] ?? 'mismatch')}">${escapeXml(r.mismatches.join('\n'))}</failure>`);
          if (steps) out.push(steps);
          out.push('    </testcase>');
        }
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
