"""CSV as spreadsheets read it: UTF-8 with a byte-order mark (Excel opens Korean text right), and user text
that can never be taken for a formula (`=HYPERLINK(…)` typed as a company name stays text)."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import BinaryIO

from bot.i18n import _
from store.dto import ExportTable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SafeWriter:
    """csv.writer that keeps user text from being read as a spreadsheet formula."""

    def __init__(self, out) -> None:
        self._w = csv.writer(out)

    def writerow(self, row: list) -> None:
        self._w.writerow([("'" + v) if isinstance(v, str) and v[:1] in FORMULA_START else v for v in row])


def write_zip(tables: list[ExportTable], out: BinaryIO, *, title: str = "", when: str = "") -> dict[str, int]:
    """One CSV per table in a ZIP, written as the rows are read, and a README.txt saying what is inside.
    Returns the rows written per table."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for t in tables:
            with z.open(f"{t.name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                w = SafeWriter(text)
                w.writerow(t.header)
                n = 0
                for row in t.rows:  # type: ignore[attr-defined]
                    w.writerow(row)
                    n += 1
                text.flush()
                text.detach()
            counts[t.name] = n
        z.writestr("README.txt", export_readme(counts, title, when))
    return counts


def export_readme(counts: dict[str, int], team_name: str, when: str) -> str:
    lines = [_("CRM export of {team}, {when} (UTC).").format(team=team_name, when=when), "", _("Files (rows):")]
    lines += [f"  {name}.csv: {n:,}" for name, n in counts.items()]
    lines += ["", _("Times are ISO 8601 in UTC. Amounts are in minor units of their currency (KRW has none)."),
              _("Cells that began with = + - @ start with an apostrophe so spreadsheets show them as text.")]
    return "\n".join(lines) + "\n"
