/** The dashboard's page frame: navigation, styles, and HTML escaping. */

const NAV: readonly [string, string][] = [
  ['/', 'Overview'],
  ['/models', 'Models'],
  ['/drift', 'Drift'],
  ['/errors', 'Error gallery'],
];

/** Escapes text for HTML content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A whole page: `body` is trusted HTML built with `esc` for every value. */
export function page(title: string, path: string, body: string): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}"${href === path ? ' class="here"' : ''}>${label}</a>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - irisk</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header b{font-size:18px;margin-right:16px} header a{color:#d1d5db;text-decoration:none} header a.here{color:#fff;border-bottom:2px solid #60a5fa}
main{padding:20px 24px;max-width:1200px} h1{font-size:22px} h2{font-size:17px;margin-top:28px}
.cards{display:flex;flex-wrap:wrap;gap:12px} .card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;min-width:150px}
.card .v{font-size:24px;font-weight:600} .card .k{color:#6b7280;font-size:13px}
table{border-collapse:collapse;background:#fff;font-size:13px} td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}
.plot svg{max-width:100%;height:auto;background:#fff;border:1px solid #e5e7eb} .drift{color:#b91c1c;font-weight:600} .muted{color:#6b7280}
.gallery{display:flex;flex-wrap:wrap;gap:12px} .gallery figure{background:#fff;border:1px solid #e5e7eb;margin:0;padding:8px;width:260px}
.gallery img{width:100%} .gallery figcaption{font-size:12px}
</style></head><body><header><b>irisk</b>${nav}</header><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** A row of figure cards. */
export function cards(items: readonly [string, string | number][]): string {
  return `<div class="cards">${items.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>`;
}

/** A table from a header and rows of already-escaped cells. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}
