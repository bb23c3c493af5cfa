import { summarizeCertificate } from '../../scenarios/trace.ts';
import type { AccessLogEntry, ConnectionLogEntry } from '../alb/types.ts';
import { chainSvg, chainText } from './chain-svg.ts';
import { escapeHtml, safeId } from './escape.ts';
import type { VerdictContext } from './verdict-help.ts';
import { verdictHelp } from './verdict-help.ts';

/** The verdict a card is filtered by: `Success`, a `Failed:*` code, or `-` (no verdict). */
export const verdictOf = (entry: ConnectionLogEntry): string => entry.tlsVerifyStatus;

/** The id of a connection's card on the live page. */
export const cardId = (connTraceId: string) => `c-${safeId(connTraceId)}`;

/**
 * The card of one connection, as escaped HTML (the page inserts it as is): the verdict in its
 * colour, the decoded client chain as a picture and as text, the verifier's reason, the
 * explanation and the fix, and an empty list that access-log entries on this connection fill.
 */
export function connectionCard(entry: ConnectionLogEntry, context: VerdictContext, now: Date = new Date()): string {
  const id = cardId(entry.connTraceId);
  const verdict = verdictOf(entry);
  const ok = verdict === 'Success';
  const help = verdictHelp(entry.tlsVerifyStatus, context);
  const chain = (entry.presentedChain ?? []).map((c) => summarizeCertificate(c));
  const chainHtml = chain.length
    ? `<figure>${chainSvg(chain, `${id}-chain`, now)}<figcaption>Client certificate chain as presented, leaf first</figcaption></figure>` +
      `<ol class="chain-text">${chain.map((c, i) => `<li>${escapeHtml(chainText(c, i, now).replace(/^\d+\. /, ''))}</li>`).join('')}</ol>`
    : `<p class="muted">${context.mode === 'off' ? 'mTLS is off: the ALB asked for no client certificate.' : 'The client sent no certificate.'}</p>`;
  const tls = entry.tlsProtocol === '-' ? 'TLS handshake did not complete' : `${entry.tlsProtocol} ${entry.tlsCipher}`;
  return (
    `<article class="card live ${ok ? 'ok' : 'bad'}" id="${id}" data-verdict="${escapeHtml(verdict)}" tabindex="-1" aria-labelledby="${id}-h">` +
    `<header class="live-head"><span class="badge ${ok ? 'ok' : 'bad'}">${escapeHtml(verdict)}</span> ` +
    `<h2 id="${id}-h">${escapeHtml(`${entry.clientIp}:${entry.clientPort}`)} <span class="muted">${escapeHtml(tls)}</span></h2>` +
    `<time class="muted" datetime="${escapeHtml(entry.timestamp)}">${escapeHtml(entry.timestamp.slice(11, 23))}</time></header>` +
    '<div class="body"><div class="grid"><div>' +
    (entry.reason ? `<p class="${ok ? 'muted' : 'reason'}">Verifier: ${escapeHtml(entry.reason)}</p>` : '') +
    `<h3>Client certificate chain</h3>${chainHtml}` +
    '<h3>Requests and the target\'s answers</h3>' +
    `<ul class="requests" id="${id}-requests"><li class="muted none">${ok ? 'No request yet on this connection.' : 'None: the ALB closed the connection before any HTTP byte.'}</li></ul>` +
    '</div><div>' +
    `<div class="explain"><h3>What this verdict means</h3><p>${escapeHtml(help.explanation)}</p></div>` +
    `<div class="explain fix"><h3>Fix</h3><p>${escapeHtml(help.fix)}</p>` +
    (help.scenarioId ? `<p class="muted">Reproduce it: <code>alb-mtls run ${escapeHtml(help.scenarioId)}</code></p>` : '') +
    '</div></div></div>' +
    `<h3>Connection log</h3><pre>${escapeHtml(entry.raw)}</pre>` +
    '</div></article>'
  );
}

/** One access-log entry as a list item for its connection's card: the request, the ALB's and the target's status. */
export function requestItem(entry: AccessLogEntry): { cardId: string; html: string } {
  const request = entry.fields.request ?? '-';
  const target = entry.targetStatusCode === null ? 'no target answer' : `target answered ${entry.targetStatusCode}`;
  const ok = entry.elbStatusCode < 400;
  return {
    cardId: cardId(entry.connTraceId),
    html:
      `<li><span class="badge ${ok ? 'ok' : 'bad'}">${entry.elbStatusCode}</span> <code>${escapeHtml(request)}</code> ` +
      `<span class="muted">${escapeHtml(target)}</span><pre>${escapeHtml(entry.raw)}</pre></li>`,
  };
}
