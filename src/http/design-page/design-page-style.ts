/**
 * The page's one stylesheet, inline (no external assets) and allowed by its hash in the CSP. Mobile
 * first: one column on a phone, grids widen on larger screens; images never exceed their column.
 */
export const designPageStyle = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;background:#f5f5f7}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 8px;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:28px 0 12px}
h3{font-size:1rem;margin:16px 0 8px}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
p,dd,li,figcaption,blockquote{overflow-wrap:anywhere}
.state{display:inline-block;padding:2px 10px;border-radius:999px;background:#e8e8ed;font-size:.85rem;font-weight:600}
.state-completed{background:#d1f2dc;color:#0b5c2a}
.state-failed,.state-cancelled,.state-expired{background:#fde2e1;color:#8a1c14}
.card{background:#fff;border-radius:12px;padding:16px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:#6e6e73}
dl.facts dd{margin:0;min-width:0}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.views{display:grid;grid-template-columns:1fr;gap:12px}
@media (min-width:600px){.views{grid-template-columns:repeat(2,1fr)}}
@media (min-width:960px){.views{grid-template-columns:repeat(3,1fr)}}
figure{margin:0;min-width:0}
figure img{display:block;width:100%;height:auto;border-radius:8px;background:#fff}
figcaption{font-size:.9rem;color:#6e6e73;margin-top:4px}
.missing{display:flex;align-items:center;justify-content:center;aspect-ratio:1;border-radius:8px;background:#e8e8ed;color:#6e6e73}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px;max-width:760px}
.change{margin:0 0 8px}
blockquote{margin:0 0 8px;padding-left:12px;border-left:3px solid #c7c7cc}
.swatches{list-style:none;padding:0;margin:0;display:grid;gap:8px}
.swatches li{display:flex;align-items:center;gap:10px;min-width:0}
.swatch{flex:none;width:36px;height:36px;border-radius:6px;border:1px solid rgba(0,0,0,.15)}
.download{display:inline-block;padding:10px 16px;border-radius:8px;background:#0a66c2;color:#fff;text-decoration:none;font-weight:600}
.muted{color:#6e6e73}
`;
