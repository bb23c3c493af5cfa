/**
 * HTML/SVG escaping for every value a page shows. Certificate subjects, header values and log lines
 * are user data (a subject may hold `<`, `"` or `&`), so nothing reaches markup unescaped.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A safe `id`/fragment from any string (scenario ids are kebab-case already; this only guards). */
export function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}

