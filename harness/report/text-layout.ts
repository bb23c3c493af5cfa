/**
 * SVG has no line wrapping, so labels are wrapped here by an estimate of the rendered width. The
 * estimate is deliberately generous (wider than the average glyph of a system sans-serif at 12 px)
 * so a label never runs past the picture's edge.
 */
export const CHAR_WIDTH_PX = 6.9;

/** Splits `text` into lines of at most `maxChars`, at spaces where possible, hard-breaking longer words. */
export function wrapText(text: string, maxChars: number): string[] {
  const limit = Math.max(8, Math.floor(maxChars));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > limit) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, limit));
      rest = rest.slice(limit);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= limit) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** The number of characters that fit in `widthPx`. */
export function charsFitting(widthPx: number): number {
  return Math.floor(widthPx / CHAR_WIDTH_PX);
}

/** `text` cut to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
