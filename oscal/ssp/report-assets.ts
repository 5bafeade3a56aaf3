/**
 * The inline style and script of the SSP report. Colours keep a contrast of
 * at least 4.5:1 (dark text on light badges); the script only filters rows
 * that are already in the page, so the report reads the same without it.
 */

/** CSS of the report (screen and print). */
export const REPORT_STYLE = `
:root{--fg:#111;--muted:#444;--line:#c8ced6;--accent:#0b4f8a;--bg:#fff}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1280px;padding:0 1.2rem 3rem}
h1{font-size:1.6rem;margin:1.2rem 0 .4rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}h4{margin:.8rem 0 .2rem;font-size:1rem}
a{color:var(--accent)}a:focus,button:focus,select:focus,input:focus,summary:focus{outline:3px solid #e0a100;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem;z-index:9}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:.6rem 0}
table{border-collapse:collapse;width:100%;margin:.6rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}td code,td a{overflow-wrap:anywhere}thead th{white-space:nowrap}thead th{background:#eef2f6}
table.coverage td{text-align:right}tr.total th,tr.total td{font-weight:700;background:#f6f8fa}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.85rem;font-weight:600;border:1px solid #0003;white-space:nowrap}
.s-implemented{background:#cdeccd;color:#0c3d0c}.s-partial{background:#fde9b8;color:#4a3300}.s-planned{background:#d6e4f7;color:#0d2c54}
.s-inherited{background:#e4dcf5;color:#32195e}.s-not-applicable{background:#e6e6e6;color:#2b2b2b}.s-not-addressed{background:#f8d3d0;color:#5c0d06}
.bar{display:flex;height:14px;border-radius:7px;overflow:hidden;margin:.5rem 0;border:1px solid var(--line)}.bar .seg{display:block;border:0}
.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:end;background:#f6f8fa;border:1px solid var(--line);padding:.6rem;border-radius:6px}
.filters label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem}
.filters input,.filters select,.filters button{font:inherit;padding:.3rem .4rem;border:1px solid #6b7580;border-radius:4px;background:#fff;color:var(--fg)}
.filters input{min-width:18rem}
/* Fixed layout: the browser lays out hundreds of rows without measuring every cell first. */
table.controls{table-layout:fixed}.c-id{width:7.5rem}.c-title{width:20%}.c-status{width:9.5rem}.c-by{width:16%}
details summary{cursor:pointer;color:var(--accent)}ul.evidence{margin:.2rem 0 .6rem;padding-left:1.2rem;font-size:.9rem}
code{font:.85rem ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f5;padding:0 .2rem;word-break:break-word}
.cid,.claim-status,.beyond{color:var(--muted);font-weight:400}.refs{font-size:.88rem;color:var(--muted)}.gap{color:#5c0d06}
.diagram-wrap{border:1px solid var(--line);padding:.4rem}.diagram{width:100%;height:auto}
#network,#inventory,#crypto,#documents{content-visibility:auto;contain-intrinsic-size:auto 1200px}
@media print{html{font-size:11px}#network,#inventory,#crypto,#documents{content-visibility:visible}body{max-width:none;font-size:11px}.filters,.skip,nav,#count{display:none}tr[hidden]{display:table-row}details>summary{display:none}a{color:inherit;text-decoration:none}tr{break-inside:avoid}.diagram{width:100%}}
`;

/** Script of the report: search and filters over the rendered rows, coverage links that set filters, details opened for print. */
export const REPORT_SCRIPT = `
(function(){
  var rows=[].slice.call(document.querySelectorAll('#control-rows > tr'));
  var text=null; // built on the first search, so loading does not pay for reading every row's evidence
  var q=document.getElementById('q'),fam=document.getElementById('f-family'),st=document.getElementById('f-status'),comp=document.getElementById('f-component'),count=document.getElementById('count');
  function apply(){
    var s=q.value.trim().toLowerCase(),f=fam.value,t=st.value,c=comp.value,n=0;
    if(s&&!text)text=rows.map(function(r){return r.textContent.toLowerCase();});
    for(var i=0;i<rows.length;i++){
      var r=rows[i],d=r.dataset;
      var show=(!f||d.family===f)&&(!t||d.status===t)&&(!c||(' '+d.components+' ').indexOf(' '+c+' ')>=0)&&(!s||text[i].indexOf(s)>=0);
      r.hidden=!show;if(show)n++;
    }
    count.textContent=n+' of '+rows.length+' controls';
  }
  [q,fam,st,comp].forEach(function(el){el.addEventListener(el===q?'input':'change',apply);});
  document.getElementById('reset').addEventListener('click',function(){q.value='';fam.value='';st.value='';comp.value='';apply();q.focus();});
  document.addEventListener('click',function(e){
    var a=e.target.closest&&e.target.closest('a.filter-link');if(!a)return;
    fam.value=a.dataset.family||'';st.value=a.dataset.status||'';comp.value='';q.value='';apply();
  });
  var opened=[];
  window.addEventListener('beforeprint',function(){opened=[].slice.call(document.querySelectorAll('details:not([open])'));opened.forEach(function(d){d.open=true;});});
  window.addEventListener('afterprint',function(){opened.forEach(function(d){d.open=false;});});
  document.documentElement.dataset.ready='true';
})();
`;
