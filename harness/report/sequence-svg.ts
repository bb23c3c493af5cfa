import { TRACE_ACTORS } from '../../scenarios/trace.ts';
import type { TraceStep } from '../../scenarios/types.ts';
import { escapeHtml } from './escape.ts';
import { charsFitting, wrapText } from './text-layout.ts';

type Actor = keyof typeof TRACE_ACTORS;

const WIDTH = 940;
const MARGIN = 12;
const ACTOR_X: Record<Actor, number> = { client: 70, gateway: 250, alb: 430, target: 610 };
const ACTOR_BOX = { width: 112, height: 28, top: 8 };
const LINE_HEIGHT = 15;
const ARROW_GAP = 12;
const ROW_GAP = 14;
/** The loop a step draws when a party acts alone (a lookup, a verdict). */
const SELF_LOOP = 26;
/** The band that opens each scenario step (a heading across the lifelines). */
const PHASE_HEIGHT = 26;

/** One step in words, the same words the picture shows (used for the text alternative and the step list). */
export function stepText(step: TraceStep): string {
  const who = step.from === step.to ? TRACE_ACTORS[step.from] : `${TRACE_ACTORS[step.from]} → ${TRACE_ACTORS[step.to]}`;
  return `${who}: ${step.label}${step.outcome === 'failed' ? ' (stopped here)' : ''}`;
}

/**
 * The sequence picture of one run: the four parties as lifelines, one arrow per trace step (a loop
 * where a party acts alone), its label above it, failed steps in the failure colour with a cross
 * where the path stopped. `idPrefix` keeps the title/desc ids unique on a page holding many pictures.
 * Trace steps that belong to a scenario step (`step.step`) are grouped under a heading band naming
 * it (`phaseLabel` gives its words), so one picture shows a multi-step scenario in order.
 */
export function sequenceSvg(steps: readonly TraceStep[], idPrefix: string, title: string, phaseLabel: (step: number) => string = (i) => `steps[${i}]`): string {
  const body: string[] = [];
  let y = ACTOR_BOX.top + ACTOR_BOX.height + 18;
  let phase: number | undefined;
  steps.forEach((step, index) => {
    if (step.step !== undefined && step.step !== phase) {
      phase = step.step;
      const words = wrapText(phaseLabel(phase), charsFitting(WIDTH - 2 * MARGIN - 8))[0] ?? '';
      body.push(
        `<g class="seq-phase"><line x1="${MARGIN}" y1="${y}" x2="${WIDTH - MARGIN}" y2="${y}"/>` +
          `<text x="${MARGIN + 4}" y="${y + 15}">${escapeHtml(words)}</text></g>`,
      );
      y += PHASE_HEIGHT;
    }
    const fromX = ACTOR_X[step.from];
    const toX = ACTOR_X[step.to];
    const self = step.from === step.to;
    const labelX = self ? fromX + SELF_LOOP + 10 : Math.min(fromX, toX) + 10;
    const lines = wrapText(`${index + 1}. ${step.label}`, charsFitting(WIDTH - MARGIN - labelX));
    const cls = step.outcome === 'failed' ? 'seq-step failed' : 'seq-step';
    const parts: string[] = [];
    lines.forEach((line, i) => {
      parts.push(`<text class="seq-label" x="${labelX}" y="${y + 11 + i * LINE_HEIGHT}">${escapeHtml(line)}</text>`);
    });
    if (self) {
      const top = y + 2;
      const bottom = y + Math.max(lines.length * LINE_HEIGHT, 18);
      parts.unshift(
        `<path class="seq-arrow" d="M${fromX} ${top} h${SELF_LOOP} V${bottom} H${fromX + 8}"/>`,
        arrowHead(fromX + 1, bottom, -1),
      );
      y = bottom;
    } else {
      y += lines.length * LINE_HEIGHT + ARROW_GAP - 6;
      const dir = toX > fromX ? 1 : -1;
      parts.push(`<line class="seq-arrow" x1="${fromX}" y1="${y}" x2="${toX - dir * 8}" y2="${y}"/>`, arrowHead(toX - dir, y, dir));
    }
    if (step.outcome === 'failed') {
      const markX = self ? fromX : toX;
      parts.push(`<g class="seq-stop"><circle cx="${markX}" cy="${y}" r="9"/><path d="M${markX - 4} ${y - 4} l8 8 M${markX + 4} ${y - 4} l-8 8"/></g>`);
    }
    body.push(`<g class="${cls}">${parts.join('')}</g>`);
    y += ROW_GAP + 8;
  });
  const height = y + 4;
  const lifelines = (Object.keys(ACTOR_X) as Actor[]).map((actor) => {
    const x = ACTOR_X[actor];
    return (
      `<line class="seq-life" x1="${x}" y1="${ACTOR_BOX.top + ACTOR_BOX.height}" x2="${x}" y2="${height - 4}"/>` +
      `<rect class="seq-actor" x="${x - ACTOR_BOX.width / 2}" y="${ACTOR_BOX.top}" width="${ACTOR_BOX.width}" height="${ACTOR_BOX.height}" rx="6"/>` +
      `<text class="seq-actor-name" x="${x}" y="${ACTOR_BOX.top + 19}" text-anchor="middle">${TRACE_ACTORS[actor]}</text>`
    );
  });
  const description = steps.map((s, i) => `${s.step !== undefined && s.step !== steps[i - 1]?.step ? `${phaseLabel(s.step)}: ` : ''}${i + 1}. ${stepText(s)}`).join(' ');
  return (
    `<svg class="seq" role="img" aria-labelledby="${idPrefix}-t" aria-describedby="${idPrefix}-d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `xmlns="http://www.w3.org/2000/svg" data-steps="${steps.length}">` +
    `<title id="${idPrefix}-t">${escapeHtml(title)}</title><desc id="${idPrefix}-d">${escapeHtml(description)}</desc>` +
    `${lifelines.join('')}${body.join('')}</svg>`
  );
}

/** A filled triangle whose tip is at (x, y), pointing right (dir 1) or left (dir -1). */
function arrowHead(x: number, y: number, dir: 1 | -1): string {
  return `<path class="seq-head" d="M${x} ${y} l${-dir * 9} -5 v10 z"/>`;
}
