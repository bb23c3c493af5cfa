export { renderHtmlReport, writeHtmlReport, type HtmlReportOptions } from './html-report.ts';
