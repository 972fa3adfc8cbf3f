"""Benchmark of report exports: a CSV and an XLSX of `--rows` retirement rows (the ESG
summary's CDP table) written by the platform's export code, next to the bare library
loop over the same rows in the same run, and the peak memory of ours.

- ours: `content.esg_summary` over a figures reader whose `retirement_rows` yields the
  rows, written by `FileReportWriter` (the writer the build job uses): every cell goes
  through the content's column mapping and the format's cell rules (exact decimals,
  ISO 8601 times; XLSX number formats per column, a formatted header, frozen panes, the
  summary sheet and its charts) into a temporary file.
- bare: the same rows (the same `RetirementRow` objects, made by the same generator)
  turned into tuples and written by a plain `csv.writer` loop, or by an xlsxwriter
  `constant_memory` workbook writing each cell with `write` and no formats.

Each side runs in a subprocess of its own, which reports its wall time and its peak
resident memory (`VmHWM` of `/proc/self/status`); the memory of a process
that only imports the same modules is printed beside it. The rows are made in memory:
the SQL reader's chunked cursor is not in the measurement (it is the same for both).
Goals: CSV at least 0.7x the bare speed, XLSX at most 1.3x the bare time, our peak RSS
at most 50 MB.

If `bench/_certificate_pdf.py` exists, its `measure(rounds)` (a dict of millisecond
figures) is called and printed too.

Run from the repository root:

    .venv/bin/python bench/reports.py --rows 100000
    .venv/bin/python bench/reports.py                       # 1,000,000 rows, a few minutes
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform as platform_info
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SIDES = ("import-only", "ours-csv", "bare-csv", "ours-xlsx", "bare-xlsx")
START = datetime(2026, 1, 1, tzinfo=UTC)


def rows(count: int) -> Iterator[Any]:
    """`count` retirement rows, the same ones for every side."""
    from app.domain.reports.figures import RetirementRow
    from app.domain.shared.money import Money

    for n in range(count):
        yield RetirementRow(
            retirement_id=f"{n:032x}",
            project_id=f"{n % 97:032x}",
            project_name=f"Forest project {n % 97}",
            project_type="forestry",
            standard="Verra VCS",
            methodology="VM0047",
            country="BR" if n % 3 else "DE",
            vintage=2020 + n % 5,
            quantity_kg=1_000 + n % 5_000,
            serial_start=n,
            serial_end=n + 5,
            retired_at=START + timedelta(seconds=n),
            beneficiary="Acme Ltd",
            purpose="2026 business travel",
            price_paid=Money.of(f"{12 + n % 50}.50", "EUR") if n % 2 else None,
            mitigation="removal" if n % 4 == 0 else "reduction",
            removal_kind="biogenic" if n % 4 == 0 else None,
            corresponding_adjustment=n % 10 == 0,
        )


class BenchFigures:
    """A figures reader over the generated rows (the summary's own figures are empty)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def retired_slices(self, *_: object) -> list[Any]:
        return []

    def purchased_kg(self, *_: object) -> int:
        return 0

    def spend(self, *_: object) -> list[Any]:
        return []

    def retirement_rows(self, *_: object) -> Iterator[Any]:
        return rows(self.count)

    def planned_kg(self, *_: object) -> int:
        return 0


def _bare_tuple(r: Any) -> tuple[Any, ...]:
    paid = r.price_paid
    return (
        r.project_id, r.project_name, r.project_type, r.standard, r.methodology, r.country,
        r.vintage, r.quantity_kg / 1000, r.serial_start, r.serial_end, r.retired_at,
        r.beneficiary, r.purpose, None if paid is None else paid.amount,
        None if paid is None else paid.currency, r.mitigation, r.removal_kind, r.retirement_id,
    )  # fmt: skip


def peak_mb() -> float:
    """This process's peak resident memory: `VmHWM` (reset by exec; `ru_maxrss` is not, so
    a child would report at least its parent's size at fork), else `ru_maxrss`."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(side: str, count: int, out_dir: Path) -> dict[str, Any]:
    """Run one side in this process; its time and peak memory."""
    import csv

    import xlsxwriter

    from app.adapters.reports.files import FileReportWriter
    from app.domain.reports import content
    from app.domain.reports.model import Period, Report, ReportFormat, ReportKind, Scope

    started = time.perf_counter()
    size = 0
    if side.startswith("ours"):
        fmt = ReportFormat.CSV if side.endswith("csv") else ReportFormat.XLSX
        report = Report(
            "bench", ReportKind.ESG_SUMMARY, fmt, Period(date(2026, 1, 1), date(2026, 12, 31)),
            Scope("platform"), "bench", START,
        )  # fmt: skip
        figures = BenchFigures(count)
        built = content.esg_summary(report, figures, figures)  # type: ignore[arg-type]
        written = FileReportWriter(str(out_dir)).write(built, fmt)
        size = written.size
        written.close()
    elif side == "bare-csv":
        path = out_dir / "bare.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in content.RETIREMENT_COLUMNS])
            writer.writerows(_bare_tuple(r) for r in rows(count))
        size = path.stat().st_size
        path.unlink()
    elif side == "bare-xlsx":
        path = out_dir / "bare.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True})
        sheet = book.add_worksheet("retirements")
        sheet.write_row(0, 0, [c.name for c in content.RETIREMENT_COLUMNS])
        for i, r in enumerate(rows(count), start=1):
            for col, value in enumerate(_bare_tuple(r)):
                if value is not None:
                    sheet.write(i, col, value)
        book.close()
        size = path.stat().st_size
        path.unlink()
    elapsed = time.perf_counter() - started
    return {"side": side, "seconds": elapsed, "peak_mb": peak_mb(), "bytes": size}


def run_side(side: str, count: int, out_dir: Path) -> dict[str, Any]:
    command = [str(BIN / "python"), str(HERE / "reports.py"), "--child", side]
    command += ["--rows", str(count), "--out", str(out_dir)]
    from _harness import BenchError  # not in the measured children: httpx, psycopg

    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{side} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def certificate_figures(rounds: int) -> dict[str, float] | None:
    from _harness import BenchError

    path = HERE / "_certificate_pdf.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("_certificate_pdf", path)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.measure(rounds))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs per side; the best counts")
    parser.add_argument("--out", type=Path, default=None, help="where the files are written")
    parser.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        sys.path.insert(0, str(ROOT))
        if args.child == "import-only":
            child("none", 0, args.out)
            print(
                json.dumps(
                    {"side": "import-only", "seconds": 0.0, "peak_mb": peak_mb(), "bytes": 0}
                )
            )
        else:
            print(json.dumps(child(args.child, args.rows, args.out)))
        return 0
    import tempfile

    from _harness import core_count, log

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        out = args.out or Path(tmp)
        best: dict[str, dict[str, Any]] = {}
        for side in SIDES:
            for _ in range(args.rounds if side != "import-only" else 1):
                log(f"{side}: {args.rows:,} rows")
                found = run_side(side, args.rows, out)
                if side not in best or found["seconds"] < best[side]["seconds"]:
                    best[side] = found
    python = platform_info.python_version()
    print(f"\nReports export, {args.rows:,} rows, {core_count()}, Python {python}")
    print("\n| side | seconds | rows/s | peak RSS (MB) | file (MB) |")
    print("|---|---:|---:|---:|---:|")
    for side in SIDES:
        b = best[side]
        speed = args.rows / b["seconds"] if b["seconds"] else 0.0
        print(
            f"| {side} | {b['seconds']:.2f} | {speed:,.0f} | {b['peak_mb']:.1f} | "
            f"{b['bytes'] / 2**20:.1f} |"
        )
    csv_ratio = best["bare-csv"]["seconds"] / best["ours-csv"]["seconds"]
    xlsx_ratio = best["ours-xlsx"]["seconds"] / best["bare-xlsx"]["seconds"]
    peak = max(best["ours-csv"]["peak_mb"], best["ours-xlsx"]["peak_mb"])
    print("\n| figure | value | goal |")
    print("|---|---:|---:|")
    print(f"| CSV: our speed / bare csv.writer speed | {csv_ratio:.2f}x | >= 0.7x |")
    print(f"| XLSX: our time / bare constant_memory time | {xlsx_ratio:.2f}x | <= 1.3x |")
    print(f"| our peak RSS (CSV, XLSX) | {peak:.1f} MB | <= 50 MB |")
    print(f"| of which the interpreter and imports | {best['import-only']['peak_mb']:.1f} MB | |")
    certificates = certificate_figures(args.rounds)
    if certificates is not None:
        print("\n| certificate PDF | ms |")
        print("|---|---:|")
        for name, value in certificates.items():
            print(f"| {name} | {value:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
