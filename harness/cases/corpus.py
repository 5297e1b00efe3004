"""The data sets of the compression cases (12.*, 13.*): five files generated deterministically, in the
place of Autobahn|Testsuite's test files, with the same kinds of content and about their sizes.

| name | stands for Autobahn's | content | size |
|---|---|---|---|
| json | data1.json (an Autobahn report) | an Autobahn-style index.json: agents, ids, verdicts | 194,056 |
| image | lena512.bmp | a 512x512 8-bit grey BMP: shaded shapes with sensor noise | 263,222 |
| text | pg2229.txt (Goethe's Faust I) | German-like verse: lines of words from a fixed vocabulary | 222,218 |
| html | data1.html (an Autobahn report page) | a report page: a style sheet and a table of verdicts | 263,647 |
| pdf | 10.1.1.105.5439.pdf | PDF-like objects: text streams and deflated (incompressible) ones | 262,144 |

Generated rather than shipped: Autobahn's files are not all free to copy (Lena, the paper), and a
generator is a few lines. Every byte comes from random.Random with a fixed seed, so the files are the same
on every run and machine. json, html and text are ASCII, so a slice of N bytes is also N characters, as
Autobahn slices its text data sets.

`corpus_slice(name, size, index)` is Autobahn's walk through a file: message k of a case is the `size`
bytes from offset k * size (modulo the file's length), wrapping around to the start.
"""

from __future__ import annotations

import functools
import json
import random
import zlib
from collections.abc import Callable

SIZES = {"json": 194_056, "image": 263_222, "text": 222_218, "html": 263_647, "pdf": 262_144}
VERDICTS = ("OK", "OK", "OK", "OK", "NON-STRICT", "INFORMATIONAL", "FAILED", "UNIMPLEMENTED")


def _fit(data: bytes, name: str) -> bytes:
    size = SIZES[name]
    assert len(data) >= size, (name, len(data))
    return data[:size]


def _ids(rng: random.Random) -> list[str]:
    return [f"{a}.{b}.{c}" for a in range(1, 14) for b in range(1, rng.randint(3, 8)) for c in range(1, 20)]


def _json() -> bytes:
    rng = random.Random(12_1)
    report: dict[str, dict[str, dict[str, object]]] = {}
    ids = _ids(rng)
    for agent in ("AutobahnPython/0.6.0", "websockets/17.4", "aiohttp/3.14", "wsinterop/1.0"):
        slug = agent.lower().replace("/", "_").replace(".", "_")
        report[agent] = {
            case: {
                "behavior": rng.choice(VERDICTS),
                "behaviorClose": rng.choice((*VERDICTS[:4], "WRONG CODE", "UNCLEAN")),
                "duration": rng.randint(1, 2000),
                "remoteCloseCode": rng.choice((1000, 1000, 1001, 1002, 1007, None)),
                "reportfile": f"{slug}_case_{case.replace('.', '_')}.json",
            }
            for case in ids
        }
    return _fit(json.dumps(report, indent=3).encode("ascii"), "json")


def _image() -> bytes:
    rng = random.Random(12_2)
    width = height = 512
    palette = b"".join(bytes((g, g, g, 0)) for g in range(256))
    offset = 14 + 40 + len(palette)
    header = b"BM" + (offset + width * height).to_bytes(4, "little") + bytes(4) + offset.to_bytes(4, "little")
    info = (40).to_bytes(4, "little") + width.to_bytes(4, "little") + height.to_bytes(4, "little")
    info += (1).to_bytes(2, "little") + (8).to_bytes(2, "little") + bytes(24)
    circles = [
        (rng.randrange(width), rng.randrange(height), rng.randint(30, 160), rng.randint(-90, 90)) for _ in range(9)
    ]
    rows = bytearray()
    for y in range(height):
        for x in range(width):
            value = 60 + (x * 3 + y * 2) // 8
            for cx, cy, radius, shade in circles:
                if (x - cx) ** 2 + (y - cy) ** 2 < radius * radius:
                    value += shade
            rows.append(max(0, min(255, value + rng.randint(-6, 6))))
    return _fit(header + info + palette + bytes(rows), "image")


def _text() -> bytes:
    rng = random.Random(12_3)
    words = [
        "ich",
        "du",
        "er",
        "sie",
        "es",
        "wir",
        "und",
        "der",
        "die",
        "das",
        "nicht",
        "mit",
        "dem",
        "den",
        "zu",
        "ein",
        "eine",
        "ist",
        "sich",
        "auf",
        "so",
        "wie",
        "nur",
        "mir",
        "mich",
        "habe",
        "hat",
        "Herz",
        "Geist",
        "Welt",
        "Nacht",
        "Licht",
        "Faust",
        "Mephistopheles",
        "Gretchen",
        "Himmel",
        "Erde",
        "Tag",
        "Zeit",
        "Leben",
        "Tod",
        "doch",
        "schon",
        "noch",
        "wohl",
        "gar",
        "sehr",
        "kann",
        "will",
        "muss",
        "soll",
        "mag",
        "darf",
        "Teufel",
        "Wissen",
        "Liebe",
        "Seele",
        "Blut",
        "Wort",
    ]
    lines: list[str] = []
    size = 0
    while size < SIZES["text"]:
        new = ["", rng.choice(("FAUST:", "MEPHISTOPHELES:", "MARGARETE:", "WAGNER:", "CHOR:"))]
        if rng.random() >= 0.08:
            new = []
        line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 9)))
        new.append(line[0].upper() + line[1:] + rng.choice((",", ".", ";", "!", "?", "")))
        lines += new
        size += sum(len(line) + 2 for line in new)
    return _fit("\r\n".join(lines).encode("ascii"), "text")


def _html() -> bytes:
    rng = random.Random(12_4)
    style = "".join(
        f"td.case_{v.lower().replace(' ', '_')} {{\n   background-color: #{rng.randrange(1 << 24):06x};\n}}\n\n"
        for v in VERDICTS
    )
    head = f'<!DOCTYPE html>\n<html>\n   <head>\n      <meta charset="utf-8" />\n      <style lang="css">\n{style}'
    parts = [head + "      </style>\n   </head>\n   <body>\n      <table>\n"]
    for case in _ids(rng) * 2:
        verdict = rng.choice(VERDICTS)
        parts.append(
            f'         <tr>\n            <td class="case_id">Case {case}</td>\n'
            f'            <td class="case_{verdict.lower().replace(" ", "_")}">'
            f'<a href="wsinterop_case_{case.replace(".", "_")}.html">{verdict}</a><br/>'
            f'<span class="case_duration">{rng.randint(1, 2000)} ms</span></td>\n         </tr>\n'
        )
    return _fit(("".join(parts) + "      </table>\n   </body>\n</html>\n").encode("ascii"), "html")


def _pdf() -> bytes:
    rng = random.Random(12_5)
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    number = 1
    while sum(len(p) for p in out) < SIZES["pdf"]:
        if rng.random() < 0.5:
            text = " ".join(
                f"({rng.choice(('deflate', 'window', 'frame', 'message', 'context'))}) Tj" for _ in range(80)
            )
            stream = f"BT /F1 10 Tf 72 {rng.randint(72, 720)} Td {text} ET".encode("ascii")
        else:
            stream = zlib.compress(rng.randbytes(rng.randint(500, 4000)))
        head = f"{number} 0 obj\n<< /Length {len(stream)} >>\nstream\n".encode("ascii")
        out.append(head + stream + b"\nendstream\nendobj\n")
        number += 1
    return _fit(b"".join(out), "pdf")


GENERATORS: dict[str, Callable[[], bytes]] = {
    "json": _json,
    "image": _image,
    "text": _text,
    "html": _html,
    "pdf": _pdf,
}


@functools.cache
def corpus(name: str) -> bytes:
    """The data set `name` (KeyError for an unknown one), made once per process."""
    return GENERATORS[name]()


def corpus_slice(name: str, size: int, index: int) -> bytes:
    """Autobahn's message `index` of `size` bytes through the data set: from offset index * size
    (modulo the length), wrapping around to the start."""
    data = corpus(name)
    start = index * size % len(data)
    end = start + size
    if end <= len(data):
        return data[start:end]
    whole, rest = divmod(end - len(data), len(data))
    return data[start:] + data * whole + data[:rest]
