import { createHash } from 'node:crypto';

/** `'sha256-...'` of an inline `<script>` or `<style>` body, for a Content-Security-Policy that allows only it. */
export function cspHash(body: string): string {
  return `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;
}

/**
 * A policy under which the page can load nothing from anywhere: only its own inline style and
 * script (by hash), data: images, and (for the live page) its own event stream.
 */
export function strictCsp(parts: { style: string; script: string; connectSelf?: boolean }): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(parts.style)}`,
    `script-src ${cspHash(parts.script)}`,
    'img-src data:',
    `connect-src ${parts.connectSelf ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
