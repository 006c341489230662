// Self-contained HTML reports: inline SVG charts and tables, no scripts, no network at view
// time. Files are written atomically (temporary file + rename), so a failed run leaves none.

import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { toSvg, type ChartSpec } from './render.js';

export interface ReportSection {
  heading: string;
  text?: string;
  charts?: ChartSpec[];
  table?: { columns: string[]; rows: (string | number)[][] };
}

export interface Report { title: string; subtitle?: string; sections: ReportSection[] }

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

function tableHtml(t: NonNullable<ReportSection['table']>): string {
  const cell = (v: string | number, tag: string): string => `<${tag}>${escapeHtml(String(v))}</${tag}>`;
  return `<table><thead><tr>${t.columns.map((c) => cell(c, 'th')).join('')}</tr></thead><tbody>`
    + t.rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('') + '</tbody></table>';
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:2px}.sub{color:#666;margin-top:0}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 9px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}`;

/** A report table as GitHub markdown, for printing the same rows an example writes to its report. */
export function markdownTable(t: NonNullable<ReportSection['table']>): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(t.columns), line(t.columns.map(() => '---')), ...t.rows.map(line)].join('\n');
}

/** The report as one HTML string with every chart rendered to inline SVG. */
export async function renderReport(r: Report): Promise<string> {
  const parts: string[] = [];
  for (const s of r.sections) {
    const svgs = await Promise.all((s.charts ?? []).map(toSvg));
    parts.push(`<section><h2>${escapeHtml(s.heading)}</h2>`
      + (s.text ? `<p>${escapeHtml(s.text)}</p>` : '')
      + (s.table ? tableHtml(s.table) : '')
      + (svgs.length ? `<div class="charts">${svgs.map((svg) => `<figure>${svg}</figure>`).join('')}</div>` : '')
      + '</section>');
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>`
    + `<style>${STYLE}</style></head><body><h1>${escapeHtml(r.title)}</h1>`
    + (r.subtitle ? `<p class="sub">${escapeHtml(r.subtitle)}</p>` : '') + parts.join('\n') + '</body></html>\n';
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Renders the report and writes it atomically to `path`. */
export async function writeReport(path: string, r: Report): Promise<void> {
  writeAtomic(path, await renderReport(r));
}
