"""HTML matrix pages: index.html (case x draft x agent) and one page per draft.

Plain tables, inline CSS and a small inline script (no external resources) so that a report of about a
thousand cases x six drafts x two agents opens quickly from a file system or a CI artifact.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ..run.results import Behavior, CloseBehavior
from .common import BEHAVIOR_CODE, CaseRow, Entry, ResultSet, iso_time, shorten, visible_controls

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
th{background:#f4f4f4;text-align:left}
td.v{text-align:center;white-space:nowrap}td.v a{color:inherit;text-decoration:none;display:block}
tr.cat th{background:#dde4ee}
.ok{background:#b8e6b8}.ns{background:#f3e9a0}.info{background:#bcd7f2}.unimpl{background:#ddd;color:#555}
.failed{background:#f2a5a5}.na{background:#fff}
td.v small{display:block;font-size:.75em}.cf{outline:2px solid #c00;outline-offset:-2px}
td.cf small{color:#a00;font-weight:bold}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.5em;overflow-x:auto;font-size:12px}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dl.kv dt{font-weight:bold}dl.kv dd{margin:0}
.legend span{display:inline-block;padding:1px 8px;margin-right:4px;border:1px solid #ccc}
#filters{margin:1em 0}#filters label{margin-right:1em}
"""

FILTER_JS = """
(function(){
var q=document.getElementById('q'),n=document.getElementById('shown');
var boxes=Array.prototype.slice.call(document.querySelectorAll('#filters input[data-hide]'));
var rows=Array.prototype.slice.call(document.querySelectorAll('#matrix tbody tr'));
function apply(){
  var text=q.value.trim().toLowerCase(),hidden={},header=null,any=false,count=0;
  boxes.forEach(function(b){if(b.checked)hidden[b.getAttribute('data-hide')]=1;});
  rows.forEach(function(r){
    if(r.className==='cat'){if(header)header.hidden=!any;header=r;any=false;return;}
    var kinds=(r.getAttribute('data-v')||'').split(' ').filter(Boolean);
    var show=(!text||r.getAttribute('data-s').indexOf(text)>=0)&&
      (kinds.length===0||kinds.some(function(k){return !hidden[k];}));
    r.hidden=!show;if(show){any=true;count++;}
  });
  if(header)header.hidden=!any;
  n.textContent=count;
}
q.addEventListener('input',apply);
boxes.forEach(function(b){b.addEventListener('change',apply);});
apply();
})();
"""

FILTER_KINDS: list[tuple[str, str]] = [
    *((code, str(b)) for b, code in BEHAVIOR_CODE.items()),
    ("close", "close not OK"),
]


def page(title: str, body: str, *, script: str = "") -> str:
    tail = f"<script>{script}</script>\n" if script else ""
    return visible_controls(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n{tail}</body></html>\n"
    )


def href(path: str) -> str:
    """A relative link, URL-quoted and attribute-escaped."""
    return escape(quote(path), quote=True)


def draft_page_name(draft: str) -> str:
    return f"{draft.replace('/', '-')}.html"


def legend() -> str:
    items = "".join(f'<span class="{code}">{escape(name)}</span>' for code, name in FILTER_KINDS if code != "close")
    return (
        f'<p class="legend">{items} <span class="ok cf">FAILED close</span> '
        "(small text in a cell: the close verdict when it is not OK; red outline: a FAILED close)</p>"
    )


def run_header(results: ResultSet, heading: str, *, status: str) -> str:
    run = results.run
    agents = ", ".join(f"{escape(a)} {escape(v)}" for a, v in run.agents.items())
    certificates = "; ".join(f"{escape(a)}: {escape(how)}" for a, how in run.certificates.items())
    return (
        f"<h1>{escape(heading)}</h1>\n"
        '<dl class="kv">'
        f"<dt>run</dt><dd>{escape(run.run_id)}</dd>"
        f"<dt>target</dt><dd>{escape(run.target)}</dd>"
        f"<dt>started</dt><dd>{escape(iso_time(run.started))}</dd>"
        f"<dt>agents</dt><dd>{agents}</dd>"
        + (f"<dt>TLS certificate</dt><dd>{certificates}</dd>" if certificates else "")
        + (f"<dt>shard</dt><dd>{escape(run.shard)}</dd>" if run.shard else "")
        + (f"<dt>merged from</dt><dd>{escape(', '.join(run.merged))}</dd>" if run.merged else "")
        + f"<dt>results</dt><dd>{len(results)} of {run.case_count} planned</dd>"
        f"<dt>status</dt><dd>{escape(status)}</dd>"
        "</dl>\n"
    )


def counts_table(results: ResultSet, columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{escape(d)}<br>{escape(a)}</th>" for d, a in columns)
    rows = []
    for behavior, code in BEHAVIOR_CODE.items():
        cells = "".join(f'<td class="{code}">{results.counts(d, a)[behavior]}</td>' for d, a in columns)
        rows.append(f"<tr><th>{escape(str(behavior))}</th>{cells}</tr>")
    cells = "".join(f"<td>{results.close_notable_count(d, a)}</td>" for d, a in columns)
    rows.append(f"<tr><th>close not OK</th>{cells}</tr>")
    return f'<table id="counts"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n'


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return '<td class="na"></td>'
    code = BEHAVIOR_CODE[entry.behavior]
    classes = f"v {code} cf" if entry.close is CloseBehavior.FAILED else f"v {code}"
    tip = ""
    if entry.behavior is not Behavior.OK or entry.close_notable:
        tip = f"{entry.behavior}: {entry.behavior_reason} | close {entry.close}: {entry.close_reason}"
        tip = f' title="{escape(shorten(tip, 160), quote=True)}"'
    small = f"<small>{escape(str(entry.close))}</small>" if entry.close_notable else ""
    link = href(f"cases/{entry.key}.html")
    return f'<td class="{classes}"{tip}><a href="{link}">{escape(str(entry.behavior))}{small}</a></td>'


def _row(results: ResultSet, case: CaseRow, columns: list[tuple[str, str]]) -> str:
    entries = [results.get(case.id, d, a) for d, a in columns]
    kinds: set[str] = set()
    for e in entries:
        if e is not None:
            kinds.add(BEHAVIOR_CODE[e.behavior])
            if e.close_notable:
                kinds.add("close")
    search = escape(f"{case.id} {case.title}".lower(), quote=True)
    cells = "".join(_cell(e) for e in entries)
    return (
        f'<tr data-s="{search}" data-v="{" ".join(sorted(kinds))}">'
        f"<td>{escape(case.id)}</td><td>{escape(case.title)}</td>{cells}</tr>"
    )


def matrix(results: ResultSet, draft: str | None = None) -> str:
    columns = results.columns(draft)
    agents = results.agents
    drafts = results.drafts if draft is None else [draft]
    top = "".join(
        f'<th colspan="{len(agents)}"><a href="{href(draft_page_name(d))}">{escape(d)}</a></th>' for d in drafts
    )
    sub = "".join(f"<th>{escape(a)}</th>" for _, a in columns)
    body: list[str] = []
    width = 2 + len(columns)
    for category, cases in results.grouped(draft):
        body.append(f'<tr class="cat"><th colspan="{width}">{escape(category)} ({len(cases)})</th></tr>')
        body.extend(_row(results, case, columns) for case in cases)
    return (
        '<table id="matrix"><thead>'
        f'<tr><th rowspan="2">id</th><th rowspan="2">title</th>{top}</tr><tr>{sub}</tr>'
        f"</thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>\n"
    )


def filters() -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-hide="{code}"> hide {escape(name)}</label>' for code, name in FILTER_KINDS
    )
    return (
        '<div id="filters"><label>filter <input id="q" type="search" placeholder="id or title"></label>'
        f'{boxes}<span><span id="shown"></span> cases shown</span>'
        "<br><small>A row is hidden when every verdict in it is of a hidden kind.</small></div>\n"
    )


def _nav(results: ResultSet, current: str | None) -> str:
    links = ['<a href="index.html">all drafts</a>' if current is not None else "<b>all drafts</b>"]
    for d in results.drafts:
        if d == current:
            links.append(f"<b>{escape(d)}</b>")
        else:
            links.append(f'<a href="{href(draft_page_name(d))}">{escape(d)}</a>')
    links.append(
        '<a href="summary.md">summary.md</a> <a href="junit.xml">junit.xml</a> <a href="index.json">index.json</a>'
    )
    return "<p>" + " | ".join(links) + "</p>\n"


def matrix_page(results: ResultSet, *, status: str, draft: str | None = None) -> str:
    """index.html (all drafts) or <draft>.html (that draft's agents only)."""
    run_id = results.run.run_id
    heading = f"wsinterop {run_id}" + (f" - {draft}" if draft else "")
    body = (
        run_header(results, heading, status=status)
        + _nav(results, draft)
        + "<h2>Counts</h2>\n"
        + counts_table(results, results.columns(draft))
        + legend()
        + filters()
        + matrix(results, draft)
    )
    return page(heading, body, script=FILTER_JS)
