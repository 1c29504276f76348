"""The full report in every format from the golden week: the same figures everywhere, the PDF looked at as pictures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from demine.analysis.period import Period
from demine.cli import run
from demine.services.reports import full_report

WEEK = Period(dt.date(2024, 7, 29), dt.date(2024, 8, 4))


def test_markdown_csv_and_xlsx_carry_the_district_table(golden_register) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    text = full_report(golden_register, WEEK, report_format="md", since=dt.date(2024, 1, 1)).content.decode()
    assert "| Tartar | 60 | 20 | 700 | 650 | 650 |" in text  # UXO, AXO and submunitions kept apart in the table
    assert "| released ha | 2,790.9 | 0.0 |  | 2,790.9 |" in text
    assert "1 progress report(s) awaiting review are not included" in text
    rows = list(csv.reader(io.StringIO(full_report(golden_register, WEEK, report_format="csv").content.decode())))
    total = next(r for r in rows if r and r[0] == "Total")
    assert total[1:3] == ["280", "87"] and total[9] == "8453" and float(total[13]) == pytest.approx(2790.9)
    book = load_workbook(io.BytesIO(full_report(golden_register, WEEK, report_format="xlsx").content))
    assert {"statement", "districts", "operators", "models", "flagged", "missing_reports"} <= set(book.sheetnames)
    districts = [row for row in book["districts"].iter_rows(values_only=True)]
    assert districts[1][0] == "district" and districts[2][:3] == ("Tartar", 60, 20)
    total_row = next(row for row in districts if row[0] == "Total")
    assert total_row[13] == pytest.approx(2790.9) and districts[-1][0].startswith("Districts with approved work")


@pytest.mark.parametrize("register_url", ["sqlite"], indirect=True)
def test_report_in_azerbaijani_and_russian(golden_register) -> None:  # type: ignore[no-untyped-def]
    english = full_report(golden_register, WEEK, report_format="md").content.decode()
    titles = re.findall(r"^## (.+)$", english, flags=re.MULTILINE)
    for lang, district_title, total in (("az", "Rayonlar üzrə aşkarlanmış sursatlar və azad edilmiş ərazilər", "Cəmi"),
                                        ("ru", "Найденные предметы и высвобожденные земли по районам", "Итого")):
        text = full_report(golden_register, WEEK, report_format="md", lang=lang).content.decode()
        assert f"## {district_title}" in text and f"| {total} | 280 | 87 |" in text
        assert "| Tartar | 60 | 20 | 700 |" in text  # place names and figures as in English; numbers by locale
        # Every table title is said in the report's language: none is left in English.
        assert not [t for t in titles if f"## {t}\n" in text], lang
    assert "Rayon" not in english and "Итого" not in english


def test_hxl_csv_of_the_district_figures(golden_register) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(full_report(golden_register, WEEK, report_format="hxl").content.decode())))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert tags[:2] == ["#adm2+name", "#adm2+code"] and all(t.startswith("#") for t in tags)
    assert len(header) == len(tags)
    assert [r[0] for r in data] == ["Tartar", "Kalbajar", "Aghdam", "Khojaly", "Fuzuli", "Jabrayil", "Zangilan"]
    column = {t: i for i, t in enumerate(tags)}
    assert sum(int(r[column["#output+explosive+ap_mine+num"]]) for r in data) == 280
    assert sum(int(r[column["#output+explosive+uxo+num"]]) for r in data) == 8086
    assert sum(float(r[column["#output+land+released+ha+num"]]) for r in data) == pytest.approx(2790.9)


def _not_blank(png: Path) -> float:
    pixels = imread(png)
    return float(np.std(pixels[..., :3]))


@pytest.mark.parametrize("register_url", ["sqlite"], indirect=True)
def test_html_and_pdf_with_trend_chart_and_map(golden_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = full_report(golden_register, WEEK, report_format="html", lang="az").content.decode()
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', html)
    assert images == ["Weekly trend of items found and land released",
                      "Map of the period's work over the district boundaries"]
    assert "2.790,9 hektar" in html and "<td class=\"num\">8.453</td>" in html
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(full_report(golden_register, WEEK, report_format="pdf").content)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert _not_blank(pages[0]) > 0.05  # the statement and the trend chart are drawn on page 1
    pdfimages = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    if pdfimages.returncode == 0:  # poppler-utils ships pdfimages beside pdftoppm
        assert len([line for line in pdfimages.stdout.splitlines()[2:] if "image" in line]) >= 2


@pytest.mark.parametrize("register_url", ["sqlite"], indirect=True)
def test_cli_weekly_and_full(golden_register, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", golden_register.location]
    assert run([*db, "report", "weekly", "--from", "2024-07-29", "--to", "2024-08-04", "--lang", "en",
                "--numbers", "az"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1] == "2.790,9 hectares were cleared of mines and UXOs over the past week."
    assert "1 progress report(s) awaiting review" in out.err
    assert run([*db, "report", "weekly", "--period", "week", "--to", "2024-08-04", "--lang", "ru"]) == 0
    assert "8\u00a0086 неразорвавшихся боеприпасов" in capsys.readouterr().out
    assert run([*db, "report", "weekly", "--period", "month", "--to", "2024-08-04"]) == 0
    assert "over the past month" in capsys.readouterr().out
    out_file = tmp_path / "r.md"
    assert run([*db, "report", "full", "--from", "2024-07-29", "--to", "2024-08-04", "--format", "md",
                "--out", str(out_file)]) == 0
    assert "| Zangilan | 25 | 10 |" in out_file.read_text()
    assert run([*db, "report", "weekly", "--from", "2024-08-04", "--to", "2024-07-29"]) == 1
