#!/usr/bin/env python3
"""Title, date and site name of the dev pages: ours (clean/metadata.py) vs trafilatura.extract_metadata.

    python bench/bench_metadata.py DATA_DIR        (DATA_DIR as for score_extraction.py)

The reference is what the page itself declares: JSON-LD headline/datePublished/publisher, else
og:title / article:published_time / og:site_name (entities decoded; titles compared without a
" | Site" suffix). Ours reads those first, so its agreement is high by construction: the
figures show how often trafilatura's reader departs from a page's own declaration, the pages
where each finds nothing, and the time per page.
"""
import gzip, json, sys, time
from html import unescape
from pathlib import Path
from trafilatura import extract_metadata
from tasks.stages.clean.html import parse_html
from tasks.stages.clean.metadata import page_metadata, _json_ld, _meta_tags
from tasks.stages.clean.header import iso_date
data = Path(sys.argv[1])
gt = json.loads((data / "ground-truth.json").read_text())
from tasks.stages.clean.metadata import _strip_site
norm = lambda s: " ".join(unescape(s or "").lower().split())
rows = []
t_ours = t_tra = 0
for key, v in gt.items():
    html = gzip.open(data / "html" / f"{key}.html.gz", "rt", encoding="utf8", errors="replace").read()
    tree = parse_html(html)
    if tree is None: continue
    ld, meta = _json_ld(tree), _meta_tags(tree)
    truth = {"title": ld.get("headline") or meta.get("og:title"),
             "date": iso_date(ld.get("datePublished") or meta.get("article:published_time") or ""),
             "site": meta.get("og:site_name") or ld.get("publisher")}
    t = time.perf_counter(); ours = page_metadata(parse_html(html), v.get("url")); t_ours += time.perf_counter() - t
    t = time.perf_counter(); tm = extract_metadata(parse_html(html), default_url=v.get("url")); t_tra += time.perf_counter() - t
    got = {"ours": {"title": ours.title, "date": ours.published, "site": ours.source},
           "trafilatura": {"title": tm.title, "date": tm.date, "site": tm.sitename}}
    rows.append((truth, got))
for field in ("title", "date", "site"):
    have = [(t, g) for t, g in rows if t[field]]
    for m in ("ours", "trafilatura"):
        same = (lambda a, b: norm(_strip_site(a)) == norm(_strip_site(b))) if field == "title" else (lambda a, b: norm(a) == norm(b))
        right = sum(same(g[m][field], t[field]) for t, g in have)
        found = sum(bool(g[m][field]) for t, g in rows)
        print(f"{field:5s} {m:12s} agrees with the page's JSON-LD/meta on {right}/{len(have)}; gives one on {found}/{len(rows)} pages")
print(f"time: ours {t_ours/len(rows)*1000:.1f} ms/page, trafilatura.extract_metadata {t_tra/len(rows)*1000:.1f} ms/page")
n = 0
for t, g in rows:
    for f in ("title", "site"):
        if t[f] and norm(g["trafilatura"][f]) != norm(t[f]) and n < 8:
            n += 1; print(f, "| truth:", t[f][:70], "| trafilatura:", (g["trafilatura"][f] or "")[:70], "| ours:", (g["ours"][f] or "")[:50])
