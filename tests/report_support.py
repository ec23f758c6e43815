"""Helpers of the report tests: read a page as a person's browser would see its markup, and check numbers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from simkz.cli.main import cli

#: Elements without an end tag in HTML.
VOID = frozenset({"meta", "input", "br", "hr", "img", "link", "source", "col", "area", "base", "wbr"})
#: Numbers as the page writes them: ``17.44 M``, ``1.0 %``, ``164.2 h``, ``80.4 M USD``, ``1.23 bn USD``.
_NUMBER = re.compile("^[+\u2212-]?[\\d,]+(\\.\\d+)?( bn| M)?( %| h| USD)?$")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find_data_element(self) -> bool:
        """Whether this element or one inside it is a node or link of a network drawing."""
        return "data-element" in self.attrs or any(c.find_data_element() for c in self.children)


class Page(HTMLParser):
    """Every element of a page, with its attributes and text; fails on a tag closed out of order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.errors: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[e.tag for e in self.stack]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if self.stack:
            self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if self.stack:
            self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1].tag if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements of ``tag`` (any if None) whose attributes hold ``attrs`` (``class_`` matches one class;
        a value of ``*`` only asks for the attribute)."""
        out = []
        for e in self.elements:
            if tag is not None and e.tag != tag:
                continue
            ok = True
            for name, want in attrs.items():
                if name == "class_":
                    ok = ok and want in e.attrs.get("class", "").split()
                elif want == "*":
                    ok = ok and name.replace("_", "-") in e.attrs
                else:
                    ok = ok and e.attrs.get(name.replace("_", "-")) == want
            if ok:
                out.append(e)
        return out


def lookup(summary: dict[str, Any], path: list[str]) -> Any:
    node: Any = summary
    for key in path:
        node = node[key]
    return node


def shown_number(text: str) -> float:
    """The number a cell shows, in the unit of ``summary.json`` (``17.44 M`` is 17.44e6; ``39.0 %`` of a share
    is 39.0: the caller scales shares)."""
    text = " ".join(text.split())
    assert _NUMBER.match(text), f"not a number as the page writes them: {text!r}"
    scale = 1e9 if " bn" in text else 1e6 if " M" in text else 1.0
    digits = re.sub(r"( bn| M| %| h| USD)", "", text).replace(",", "").replace("\u2212", "-")
    return float(digits) * scale


def tolerance(text: str) -> float:
    """Half of the last shown digit's place, scaled as :func:`shown_number`: the rounding a shown number has."""
    text = " ".join(text.split())
    number = re.sub(r"( bn| M| %| h| USD)", "", text).replace(",", "")
    decimals = len(number.split(".")[1]) if "." in number else 0
    scale = 1e9 if " bn" in text else 1e6 if " M" in text else 1.0
    return 0.5 * 10.0**-decimals * scale * (1 + 1e-9)


def check_cell(summary: dict[str, Any], key: str, raw: str, text: str) -> None:
    """A ``data-key`` cell: its ``data-value`` is the value at its key path, and its text shows that value."""
    path = json.loads(key)
    expected = lookup(summary, path)
    assert float(raw) == float(expected), (path, raw, expected)
    shown = shown_number(text)
    if path[-1].endswith("_share") and text.strip().endswith("%"):
        shown /= 100.0
        assert abs(shown - expected) <= tolerance(text) / 100.0, (path, text, expected)
    else:
        assert abs(shown - expected) <= tolerance(text), (path, text, expected)


def run_scenarios(folder: Path, *names: str) -> dict[str, Path]:
    """Run each shipped scenario with `simkz run` (no figures) into ``folder/<name>``."""
    out = {}
    for name in names:
        result = CliRunner().invoke(cli, ["run", name, "--out", str(folder / name), "--figures", "none", "--quiet"])
        assert result.exit_code == 0, result.output
        out[name] = folder / name
    return out


def write_report(out: Path, *folders: Path, title: str | None = None) -> Path:
    """`simkz report FOLDERS -o out`; returns ``out``."""
    args = ["report", *map(str, folders), "-o", str(out), *(("--title", title) if title else ())]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out
