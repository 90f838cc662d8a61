/** The look shared by devtls's own pages (the status page, 404 and 502): no fonts, no images, light and dark. */
export const PAGE_STYLE = `:root{color-scheme:light dark;--fg:#1d1f23;--muted:#6a6f78;--bg:#fff;--card:#f5f6f8;--line:#e2e4e8;--ok:#1a7f37;--warn:#9a6700;--bad:#c62828;--info:#0b6bcb}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--muted:#9aa0a8;--bg:#16181c;--card:#1f2228;--line:#30343b;--ok:#4ac26b;--warn:#d4a72c;--bad:#f47067;--info:#539bf5}}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;padding:.8rem 1rem;border-bottom:1px solid var(--line)}
header .brand{font-weight:700;font-size:1.1rem;color:var(--fg);text-decoration:none}header .brand::before{content:"";display:inline-block;width:.6em;height:.6em;margin-right:.4em;border-radius:50%;background:var(--ok)}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.5rem 0}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.muted,small{color:var(--muted)}.card{background:var(--card);border-radius:8px;padding:.75rem 1rem;margin:.5rem 0}
.hint{background:var(--card);padding:.75rem 1rem;border-radius:6px}
a{color:var(--info)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:.85em}td.path{max-width:28rem;overflow:hidden;text-overflow:ellipsis}
.s2{color:var(--ok)}.s3,.s1{color:var(--info)}.s4{color:var(--warn)}.s5{color:var(--bad)}
.state{font-weight:600}.state.up,.state.trusted{color:var(--ok)}.state.refusing,.state.timing-out,.state.not-trusted{color:var(--bad)}.state.unknown{color:var(--muted)}
.stores{list-style:none;margin:0;padding:0}.stores li{margin:.1rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}input,select{font:inherit;padding:.25rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
`;
