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

/** JSON inside `<script type="application/json">`: `<` escaped so no `</script>` can end the block. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
