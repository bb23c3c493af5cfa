/**
 * The stylesheet of the HTML report and the live page: system fonts only (no web fonts), colours as
 * variables with a dark set under `prefers-color-scheme: dark`, visible focus rings, and the SVG
 * pictures coloured by class so they follow the scheme too.
 */
export const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f8fa;--card:#fff;--fg:#1c2330;--muted:#5b6576;--border:#d5dae2;--accent:#2458c6;
--ok:#17803d;--ok-bg:#e3f5e9;--bad:#c0262d;--bad-bg:#fde7e7;--warn:#8a5a00;--warn-bg:#fff3d6;--code:#eef1f5;--focus:#ff9d00}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1b2029;--fg:#e4e8ef;--muted:#9aa4b5;--border:#333b49;--accent:#7aa7ff;
--ok:#4cc27a;--ok-bg:#173324;--bad:#ff6b6b;--bad-bg:#3a1d20;--warn:#f0b54a;--warn-bg:#382c12;--code:#242a35}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.page{padding:18px 28px 12px;border-bottom:1px solid var(--border);background:var(--card)}
header.page h1{margin:0 0 4px;font-size:20px}
main{padding:16px 28px 40px;max-width:1440px}
h2{font-size:17px;margin:22px 0 8px}
h3{font-size:14px;margin:14px 0 6px}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
pre{background:var(--code);padding:8px 10px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.muted{color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:3px}
button,select{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--border);border-radius:6px;padding:5px 10px;cursor:pointer}
button:hover,select:hover{border-color:var(--accent)}
button[aria-pressed="true"]{background:var(--accent);color:var(--card);border-color:var(--accent)}
.toolbar{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:center;margin:8px 0 12px}
.toolbar label{display:flex;gap:6px;align-items:center}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.ok{color:var(--ok);background:var(--ok-bg)}
.badge.bad{color:var(--bad);background:var(--bad-bg)}
.badge.warn{color:var(--warn);background:var(--warn-bg)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--border);border-radius:8px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
tr.bad td:first-child{box-shadow:inset 3px 0 var(--bad)}
td .obs{display:block;overflow-wrap:break-word}
td.section{min-width:9em;max-width:13em}
td.outcome{min-width:11em}
td.bad .obs{color:var(--bad)}
.table-wrap{overflow-x:auto}
td.num{white-space:nowrap;text-align:right}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;margin:10px 0}
.card>details>summary{padding:10px 14px;cursor:pointer}
.card>details>summary h3{display:inline;margin:0;font-size:14.5px}
.card>details[open]>summary{border-bottom:1px solid var(--border)}
.card .body{padding:6px 16px 14px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:4px 24px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}
.kv dt{color:var(--muted)}
.kv dd{margin:0;word-break:break-all}
figure{margin:8px 0;overflow-x:auto}
figcaption{font-size:12px;color:var(--muted)}
ol.steps{margin:4px 0;padding-left:22px}
ol.steps li.failed{color:var(--bad)}
ul.mismatches{color:var(--bad);margin:4px 0}
.explain{border-left:3px solid var(--accent);padding:2px 12px;margin:8px 0}
.explain.fix{border-left-color:var(--ok)}
svg text{fill:var(--fg);font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg.seq,svg.chain{max-width:100%;height:auto;display:block}
.seq-actor{fill:var(--code);stroke:var(--border)}
.seq-actor-name{font-weight:600}
.seq-life{stroke:var(--border);stroke-dasharray:4 4}
.seq-arrow{stroke:var(--fg);stroke-width:1.6;fill:none}
.seq-head{fill:var(--fg)}
.seq-step.failed .seq-arrow{stroke:var(--bad);stroke-dasharray:6 3}
.seq-step.failed .seq-head{fill:var(--bad)}
.seq-step.failed text{fill:var(--bad)}
.seq-stop circle{fill:var(--bad)}
.seq-stop path{stroke:var(--card);stroke-width:2}
.seq-phase line{stroke:var(--muted);stroke-dasharray:2 3}
.seq-phase text{font-weight:600;fill:var(--muted)}
.chain-card{fill:var(--code);stroke:var(--border)}
.chain-card.bad{stroke:var(--bad);stroke-width:2}
.chain-role{fill:var(--muted)!important;font-size:11px!important;text-transform:uppercase;letter-spacing:.04em}
.chain-cn{font-weight:600!important;font-size:13px!important}
.chain-small{font-size:11.5px!important}
.chain-small.bad{fill:var(--bad)}
.chain-link{stroke:var(--muted);stroke-width:1.5}
.chain-head{fill:var(--muted)}
`;
