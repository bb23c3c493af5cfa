export { renderHtmlReport, writeHtmlReport, type HtmlReportOptions } from './html-report.ts';
export { startLiveUi, type LiveUiHandle, type LiveUiOptions } from './live-ui.ts';
export { verdictHelp, type VerdictHelp, type VerdictContext } from './verdict-help.ts';
