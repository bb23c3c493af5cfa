import { ALB_FAILURE_CODES } from '../../certs/alb-codes.ts';
import { escapeHtml } from './escape.ts';
import { PAGE_CSS } from './styles.ts';

/** Styles the live page adds to the report's. */
export const LIVE_CSS = `${PAGE_CSS}
.live-head{display:flex;gap:10px;align-items:baseline;padding:10px 14px;border-bottom:1px solid var(--border)}
.live-head h2{margin:0;font-size:14.5px;flex:1}
.card.live.ok{border-left:5px solid var(--ok)}
.card.live.bad{border-left:5px solid var(--bad)}
.card.live .body{padding:4px 14px 12px}
.card.live .grid{grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
.chain-text{font-size:12.5px;color:var(--muted)}
.reason{color:var(--bad);font-weight:600}
ul.requests{list-style:none;padding:0;margin:4px 0}
ul.requests li{margin:4px 0}
#status.live{color:var(--ok)}
#status.down{color:var(--bad)}
.empty{padding:24px;text-align:center;border:1px dashed var(--border);border-radius:8px}
`;

/**
 * The page's only script: follows `/events` (server-sent events) and inserts each connection's card,
 * already escaped by the server, newest first; adds each request to its connection's card; filters
 * by verdict. It talks to nothing but the server that served it.
 */
export const LIVE_SCRIPT = `(() => {
  const list = document.getElementById('connections');
  const empty = document.getElementById('empty');
  const filter = document.getElementById('filter-verdict');
  const count = document.getElementById('filter-count');
  const status = document.getElementById('status');
  const fragment = (html) => { const t = document.createElement('template'); t.innerHTML = html; return t.content.firstElementChild; };
  const matches = (card) => !filter.value || card.dataset.verdict === filter.value || (filter.value === 'Failed' && card.dataset.verdict !== 'Success');
  const apply = () => {
    let shown = 0;
    const cards = list.querySelectorAll('article');
    for (const card of cards) { card.hidden = !matches(card); if (!card.hidden) shown++; }
    count.textContent = 'Showing ' + shown + ' of ' + cards.length + ' connections';
    empty.hidden = cards.length > 0;
  };
  filter.addEventListener('change', apply);
  const events = new EventSource('events');
  events.addEventListener('open', () => { status.textContent = 'live'; status.className = 'live'; });
  events.addEventListener('error', () => { status.textContent = 'disconnected (retrying)'; status.className = 'down'; });
  events.addEventListener('connection', (e) => {
    const data = JSON.parse(e.data);
    if (document.getElementById(data.id)) return;
    list.prepend(fragment(data.html));
    apply();
  });
  events.addEventListener('request', (e) => {
    const data = JSON.parse(e.data);
    const requests = document.getElementById(data.cardId + '-requests');
    if (!requests) return;
    const none = requests.querySelector('.none');
    if (none) none.remove();
    requests.append(fragment(data.html));
  });
  apply();
})();`;

/** The live page's HTML around its (initially empty) list of connections. */
export function livePage(o: { albUrl: string; mode: string }): string {
  const options = ['<option value="">All verdicts</option>', '<option value="Success">Success</option>', '<option value="Failed">Any failure</option>'];
  for (const code of ALB_FAILURE_CODES) options.push(`<option value="Failed:${code}">Failed:${code}</option>`);
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>alb-mtls serve: ${escapeHtml(o.albUrl)}</title>`,
    `<style>${LIVE_CSS}</style></head><body>`,
    `<header class="page"><h1>ALB connections, live</h1><p class="muted">ALB emulator <code>${escapeHtml(o.albUrl)}</code> · mode ${escapeHtml(o.mode)} · ` +
      '<span id="status" role="status">connecting</span></p></header>',
    '<main>',
    '<div class="toolbar" role="group" aria-label="Filter">',
    `<label for="filter-verdict">Verdict</label><select id="filter-verdict">${options.join('')}</select>`,
    '<span id="filter-count" class="muted" aria-live="polite"></span></div>',
    '<p id="empty" class="empty muted">No connection yet. Make one with the curl commands <code>alb-mtls serve</code> printed.</p>',
    '<div id="connections" aria-live="polite" aria-relevant="additions"></div>',
    '</main>',
    `<script>${LIVE_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
