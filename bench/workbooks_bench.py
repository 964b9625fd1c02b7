"""Benchmark of Excel in and out (issue 3): import 3,400 unit sheets, export the national table for 3,400 units.

Run from the project root (no database needed, nothing is written outside a temporary folder):

    .venv/bin/python -m bench.workbooks_bench [--units 3400] [--singles 10] [--rounds 3] [--seed 2020]

Each step is timed against bare openpyxl doing the same reading (resp. writing) in the same run, and its peak
memory is measured in a fresh process of its own (peak RSS, ru_maxrss, tracemalloc peak). See bench/README.md.
"""

import argparse
import atexit
import io
import itertools
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

# The bench needs no database: it runs on the form and units built in memory, with a throw-away var folder.
_WORK = Path(tempfile.mkdtemp(prefix="chengxin-bench-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "chengxin.settings"
os.environ["CHENGXIN_VAR_DIR"] = str(_WORK / "var")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from openpyxl import Workbook, load_workbook  # noqa: E402

from chengxin.statform.definition import PATH_SEPARATOR, FigureDef, FormDefinition, RowDef  # noqa: E402
from chengxin.statform.models import FigureKind  # noqa: E402
from chengxin.units.models import Unit, UnitKind  # noqa: E402
from chengxin.workbooks.export import GROUPS, UnitColumn, methods_total, national_table, unit_filled  # noqa: E402
from chengxin.workbooks.parse import parse_workbook  # noqa: E402

SPEC = Path(__file__).resolve().parent.parent / "chengxin" / "campaigns" / "data" / "campaign-2020.toml"
TARGET_RATIO = 1.5
TARGET_PEAK_MB = 500
SHEETS_PER_WORKBOOK = 100
MB = 1024 * 1024

# --- the 2020 form and synthetic units, without a database --------------------------------------------------


def definition_from_spec(form: dict) -> FormDefinition:
    """The FormDefinition that statform.definition.build_definition would give for this `[form]` spec."""
    figures: list[FigureDef] = []
    roots: list[RowDef] = []
    ids = iter(range(1, 10_000))
    order = iter(range(1, 10_000))

    def walk(items: list[dict], parent: RowDef | None, depth: int) -> list[RowDef]:
        rows = []
        for item in items:
            row = RowDef(id=next(ids), label=item["label"], depth=depth)
            path = f"{parent.label}{PATH_SEPARATOR}{row.label}" if parent else row.label
            codes = tuple(f["code"] for f in item.get("figures", []))
            for f in item.get("figures", []):
                figure = FigureDef(
                    code=f["code"],
                    label=f["label"],
                    unit=f.get("unit", ""),
                    kind=f.get("kind", FigureKind.NUMBER),
                    order=next(order),
                    row_label=row.label,
                    path=path,
                    help_text=f.get("help", ""),
                    row_codes=codes,
                )
                row.figures.append(figure)
                figures.append(figure)
            row.children = walk(item.get("rows", []), row, depth + 1)
            rows.append(row)
        return rows

    roots = walk(form["rows"], None, 0)
    return FormDefinition(title=form["title"], roots=roots, figures=figures, rules=[])


_NAME_CHARS = "安宁平和东西南北华阳山江河海湖泉林松柏桂兴昌盛德福永清新开元嘉泰康庆丰乐云龙凤鹤白青金玉石"


def synthetic_cities(count: int, *, first_pk: int = 1) -> list[Unit]:
    """`count` city units (unsaved, with a pk) with unique two-character names such as 安宁市 and 6-digit codes."""
    if count > 8_800:
        raise ValueError("synthetic_cities: at most 8,800 units have 6-digit codes here")
    units = []
    for i in range(count):
        a, b, c = i % len(_NAME_CHARS), (i // len(_NAME_CHARS)) % len(_NAME_CHARS), i // len(_NAME_CHARS) ** 2
        name = _NAME_CHARS[a] + _NAME_CHARS[b] + ("" if c == 0 else _NAME_CHARS[c]) + "市"
        code = f"{11 + i // 100:02d}{i % 100:02d}01"  # 6 digits, like a city's GB/T 2260 code
        units.append(Unit(pk=first_pk + i, code=code, name=name, short_name=name[:-1], kind=UnitKind.CITY))
    return units


# --- realistic filled cells ----------------------------------------------------------------------------------


def _wan(n: int) -> str:
    """n (a multiple of 1,000) written the way people do: 1.2万, 3万."""
    text = f"{n / 10_000:.1f}".rstrip("0").rstrip(".")
    return f"{text}万"


def filled_cells(rng: random.Random) -> tuple[dict[str, object], dict[str, int | str]]:
    """The printed cells of one unit's attachment (leaf label → what was typed) and the values they mean."""
    sessions, attendance = rng.randint(1, 60), rng.randint(60, 400) * 100
    live, viewers = rng.randint(1, 20), rng.randint(1, 90) * 1000
    copies = rng.randint(1, 90) * 100
    methods = "、".join(rng.sample(["展板", "手册", "横幅", "宣传册", "海报", "折页"], rng.randint(1, 3)))
    reached = rng.randint(10, 500) * 10_000
    numbers = {k: rng.randint(0, 300) for k in ("print_news", "tv_news", "radio_broadcasts", "web_news", "videos")}
    consultations = rng.randint(0, 99_999)
    if rng.random() < 0.3:  # 1.2万 is only written for a round number
        attendance -= attendance % 1000
        meeting = f"{sessions}场/{_wan(attendance)}人次"
    else:
        meeting = rng.choice([f"{sessions}场，{attendance}人次", f"{attendance:,}人次，{sessions}场"])
    material = rng.choice([f"{methods}，{copies}份", f"{copies}份（{methods}）", f"{methods}，{copies:,}份"])
    cells = {
        "会议（场次、人次）": meeting,
        "宣传资料展示（方式，份数）": material,
        "纸媒新闻（篇）": rng.choice([numbers["print_news"], str(numbers["print_news"]), f"{numbers['print_news']}篇"]),
        "电视新闻（条）": str(numbers["tv_news"]),
        "电台广播（次）": float(numbers["radio_broadcasts"]),
        "网站新闻（条）": f"{numbers['web_news']}条",
        "视频（条）": numbers["videos"],
        "直播（场次，观看人次）": rng.choice([f"{live}场/{_wan(viewers)}人次", f"{live}场，{viewers}人次"]),
        "宣传覆盖总人数（人次）": rng.choice([_wan(reached), reached, f"{reached:,}"]),
        "接受咨询服务总量（人次）": str(consultations),
    }
    values = {
        "meeting_sessions": sessions,
        "meeting_attendance": attendance,
        "material_methods": methods,
        "material_copies": copies,
        **numbers,
        "live_sessions": live,
        "live_viewers": viewers,
        "people_reached": reached,
        "consultations": consultations,
    }
    return cells, values


# The notice's attachment as printed: group | sub-group | leaf, one value column (D).
ATTACHMENT_ROWS = [
    ("宣传形式", "户外活动", "会议（场次、人次）"),
    (None, None, "宣传资料展示（方式，份数）"),
    (None, "传统媒介", "纸媒新闻（篇）"),
    (None, None, "电视新闻（条）"),
    (None, None, "电台广播（次）"),
    (None, "新媒介", "网站新闻（条）"),
    (None, None, "视频（条）"),
    (None, None, "直播（场次，观看人次）"),
    ("宣传效果", "宣传覆盖总人数（人次）", None),
    (None, "接受咨询服务总量（人次）", None),
]
ATTACHMENT_MERGES = ["A1:D1", "A3:C3", "A4:A11", "B4:B5", "B6:B8", "B9:B11", "A12:A13", "B12:C12", "B13:C13"]


def attachment_sheet(ws, unit: Unit, cells: dict[str, object], *, with_code: bool) -> None:
    """One unit's attachment on a write-only sheet: title, 填报单位, header, labels (merged), values in D."""
    ws.append(["2020年“诚信兴商宣传月”活动统计表"])
    ws.append([f"填报单位：{unit.name}商务局" + (f"（{unit.code}）" if with_code else "")])
    ws.append(["项目", None, None, "数量"])
    for texts in ATTACHMENT_ROWS:
        leaf = texts[2] or texts[1]
        ws.append([*texts, cells[leaf]])
    ws.append([])
    ws.append(["填报人：王某某", None, "联系电话：010-85093311"])
    for merge in ATTACHMENT_MERGES:
        ws.merged_cells.add(merge)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class Corpus:
    files: list[tuple[str, bytes]]
    expected: dict[str, dict[str, int | str]]  # unit code → values
    units: list[Unit]

    @property
    def sheets(self) -> int:
        return len(self.expected)


def make_corpus(definition: FormDefinition, *, units: int, singles: int, seed: int) -> Corpus:
    """Province workbooks of SHEETS_PER_WORKBOOK unit sheets each (sheet named after the unit, as a province
    sends its cities), plus `singles` one-unit files: half the attachment, half the product's own template."""
    rng = random.Random(seed)
    cities = synthetic_cities(units + singles)
    files, expected = [], {}
    for start in range(0, units, SHEETS_PER_WORKBOOK):
        wb = Workbook(write_only=True)
        for unit in cities[start : start + SHEETS_PER_WORKBOOK]:
            cells, values = filled_cells(rng)
            attachment_sheet(wb.create_sheet(unit.name), unit, cells, with_code=rng.random() < 0.3)
            expected[unit.code] = values
        files.append((f"省{start // SHEETS_PER_WORKBOOK + 1:02d}各市统计表.xlsx", _save(wb)))
    for i, unit in enumerate(cities[units:]):
        cells, values = filled_cells(rng)
        if i % 2:
            data = unit_filled(
                definition=definition, unit_code=unit.code, unit_name=unit.name, campaign_title="2020", values=values
            )
        else:
            wb = Workbook(write_only=True)
            attachment_sheet(wb.create_sheet("Sheet1"), unit, cells, with_code=False)
            data = _save(wb)
        files.append((f"{unit.name}.xlsx", data))
        expected[unit.code] = values
    return Corpus(files, expected, cities)


# --- the national table's input ----------------------------------------------------------------------------


def export_input(definition: FormDefinition, *, units: int, seed: int):
    """3,400 columns as the ministry would have them: provinces, planned cities, the Corps, national bodies,
    then cities and counties; each unit's values as stored (ints, the methods text)."""
    rng = random.Random(seed + 1)
    sizes = [(GROUPS[0], 31), (GROUPS[1], 5), (GROUPS[2], 1), (GROUPS[3], 19)]
    groups = []
    for group, n in sizes:
        groups += [group] * min(n, units - len(groups))
    groups += [GROUPS[4]] * (units - len(groups))
    cities = synthetic_cities(units)
    columns = [UnitColumn(code=u.code, name=u.name, group=g) for u, g in zip(cities, groups, strict=True)]
    values = {}
    for column in columns:
        if rng.random() < 0.9:  # one unit in ten has not reported yet: an empty column
            values[column.code] = filled_cells(rng)[1]
    return columns, values


def baseline_grid(definition: FormDefinition, title: str, columns: list[UnitColumn], values: dict) -> list[list]:
    """The same cell values national_table writes, as plain rows: what bare openpyxl is timed writing."""
    depth = definition.depth
    pad = [None] * (depth + 2)
    grid = [[title]]
    group_row, seen = ["项目", *[None] * (depth - 1), "指标", "计量单位"], set()
    for column in columns:
        group_row.append(None if column.group in seen else column.group)
        seen.add(column.group)
    grid.append([*group_row, "全国合计"])
    grid.append([*pad, *(c.name for c in columns)])
    grid.append([*pad, *(c.code for c in columns)])
    for line in definition.table_lines():
        for k, figure in enumerate(line.leaf.figures):
            labels = [None] * depth
            if k == 0:
                for j, cell in enumerate(line.labels):
                    labels[line.leaf.depth - len(line.labels) + 1 + j] = cell.label
            row = [values.get(c.code, {}).get(figure.code) for c in columns]
            total = sum(v for v in row if isinstance(v, int)) if figure.is_number else methods_total(row)
            grid.append([*labels, figure.label, figure.unit or None, *row, total])
    return grid


# --- the four measured steps ---------------------------------------------------------------------------------


def read_bare(files: list[tuple[str, bytes]]) -> int:
    """Bare openpyxl: open each workbook read-only with cached values and read every cell of every sheet."""
    cells = 0
    for _name, data in files:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
    return cells


def read_parse(files, definition, units) -> dict[str, dict]:
    """parse_workbook over every file; the values read, by unit code (every sheet must read cleanly)."""
    read = {}
    for name, data in files:
        for sheet in parse_workbook(data, file_name=name, definition=definition, units=units):
            if not sheet.ok or sheet.empty:
                raise AssertionError(f"{sheet.place()}: {[str(p) for p in sheet.problems]} empty={sheet.empty}")
            read[sheet.unit.code] = sheet.values
    return read


def print_grid(grid: list[list]) -> list[tuple]:
    """The same values turned on their side (a row per unit): what the print sheet (打印版) holds."""
    return list(itertools.zip_longest(*grid[1:]))


def write_bare(grid: list[list], printed: list[tuple]) -> bytes:
    """Bare openpyxl: a write-only workbook with the same cell values in the same two sheets (the official layout
    and the print sheet), no styles, merges or print set-up."""
    wb = Workbook(write_only=True)
    for name, rows in (("全国汇总", grid), ("打印版", printed)):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return _save(wb)


def write_table(definition, columns, values) -> bytes:
    return national_table(definition=definition, title=TITLE, columns=columns, values=values)


TITLE = "2020年“诚信兴商宣传月”活动统计表（全国汇总）"
STEPS = ("import_bare", "import_parse", "export_bare", "export_table")


def run_step(step: str, state: dict) -> object:
    if step == "import_bare":
        return read_bare(state["files"])
    if step == "import_parse":
        return read_parse(state["files"], state["definition"], state["units"])
    if step == "export_bare":
        return write_bare(state["grid"], state["print_grid"])
    return write_table(state["definition"], state["columns"], state["values"])


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _proc_status_mb(field: str) -> float | None:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, from /proc; None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Restart the peak resident set (VmHWM) from the current one (Linux: `5` to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure_memory(step: str, state_file: Path) -> dict:
    """In a fresh process: run one step and take the process's peak resident set (from the step's start when
    Linux lets us restart the high-water mark, else ru_maxrss); then run it again under tracemalloc for the
    Python peak (tracemalloc's own bookkeeping would inflate the resident set, hence two runs)."""
    with state_file.open("rb") as fh:
        state = pickle.load(fh)  # our own file, written by this run
    state["definition"] = definition_from_spec(_spec())
    rss_before = _proc_status_mb("VmRSS") or _maxrss_mb()
    reset = _reset_peak_rss()
    run_step(step, state)
    peak_rss = _proc_status_mb("VmHWM") if reset else _maxrss_mb()
    maxrss = _maxrss_mb()
    tracemalloc.start()
    run_step(step, state)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_mb": peak / MB, "peak_rss_mb": peak_rss, "maxrss_mb": maxrss, "rss_before_mb": rss_before}


def _spec() -> dict:
    with SPEC.open("rb") as fh:
        return tomllib.load(fh)["form"]


def timed(step: str, state: dict) -> tuple[float, object]:
    start = time.perf_counter()
    result = run_step(step, state)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3400, help="unit sheets to import / unit columns to export")
    parser.add_argument("--singles", type=int, default=10, help="one-unit files added to the import")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds; the best of each step counts")
    parser.add_argument("--memory-step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_step:
        print(json.dumps(measure_memory(args.memory_step, args.state)))
        return 0
    return _bench(args)


def _bench(args) -> int:
    began = time.perf_counter()
    definition = definition_from_spec(_spec())
    print(
        f"generating {args.units} unit sheets ({-(-args.units // SHEETS_PER_WORKBOOK)} workbooks) "
        f"+ {args.singles} single-unit files …",
        flush=True,
    )
    corpus = make_corpus(definition, units=args.units, singles=args.singles, seed=args.seed)
    columns, values = export_input(definition, units=args.units, seed=args.seed)
    state = {
        "files": corpus.files,
        "units": corpus.units,
        "columns": columns,
        "values": values,
        "grid": baseline_grid(definition, TITLE, columns, values),
    }
    state["print_grid"] = print_grid(state["grid"])
    size = sum(len(d) for _n, d in corpus.files) / MB
    print(
        f"  {len(corpus.files)} files, {size:.1f} MB, {corpus.sheets} sheets, in {time.perf_counter() - began:.1f} s",
        flush=True,
    )

    state["definition"] = definition
    seconds: dict[str, float] = {}
    for _round in range(args.rounds):  # baseline and product alternate; the best round of each counts
        for step in STEPS:
            took, result = timed(step, state)
            seconds[step] = min(took, seconds.get(step, took))
            print(f"  {step}: {took:.2f} s", flush=True)
            if step == "import_parse" and result != corpus.expected:
                wrong = [code for code in corpus.expected if result.get(code) != corpus.expected[code]]
                raise SystemExit(f"import read wrong values for {len(wrong)} units, e.g. {wrong[:3]}")
            if step == "export_table":
                table_size = len(result) / MB

    memory = _memory_in_subprocesses(state)

    print()
    print(
        f"{args.units} unit sheets + {args.singles} single-unit files imported; national table of "
        f"{len(columns)} unit columns exported ({table_size:.1f} MB); best of {args.rounds} rounds"
    )
    print()
    header = (
        f"{'step':<14}{'seconds':>9}{'ratio':>8}{'target':>9}{'py peak MB':>12}{'peak RSS MB':>13}{'target':>9}"
        f"{'ru_maxrss MB':>14}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for step, baseline in (
        ("import_bare", None),
        ("import_parse", "import_bare"),
        ("export_bare", None),
        ("export_table", "export_bare"),
    ):
        ratio = seconds[step] / seconds[baseline] if baseline else 1.0
        mem = memory[step]
        meets = (baseline is None or ratio <= TARGET_RATIO) and mem["peak_rss_mb"] < TARGET_PEAK_MB
        ok &= meets
        target = f"≤{TARGET_RATIO}×" if baseline else "base"
        print(
            f"{step:<14}{seconds[step]:>9.2f}{ratio:>7.2f}×{target:>9}{mem['tracemalloc_mb']:>12.1f}"
            f"{mem['peak_rss_mb']:>13.1f}{'<' + str(TARGET_PEAK_MB):>9}{mem['maxrss_mb']:>14.1f}"
            f"{'' if meets else '  MISSED'}"
        )
    print()
    print(
        "peak RSS: the whole measuring process (Python, Django and the step's inputs included, "
        f"{memory['import_bare']['rss_before_mb']:.0f} MB before the import step) at its highest during the step."
    )
    print(
        "ru_maxrss: the same process's lifetime peak as getrusage reports it; on Linux it starts from the "
        "launching process's size, so it is an upper bound only."
    )
    print(f"total bench time {time.perf_counter() - began:.0f} s")
    return 0 if ok else 1


# What each step needs (the definition is rebuilt in the measuring process, not pickled).
STEP_INPUTS = {
    "import_bare": ("files",),
    "import_parse": ("files", "units"),
    "export_bare": ("grid", "print_grid"),
    "export_table": ("columns", "values"),
}


def _memory_in_subprocesses(state: dict) -> dict[str, dict]:
    """Each step once more in a process of its own, two at a time (the machine has two cores)."""
    results = {}
    cwd = Path(__file__).resolve().parent.parent
    state_files = {}
    for step, keys in STEP_INPUTS.items():
        state_files[step] = _WORK / f"{step}.pickle"
        with state_files[step].open("wb") as fh:
            pickle.dump({k: state[k] for k in keys}, fh)
    for pair in (STEPS[:2], STEPS[2:]):
        procs = {
            step: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.workbooks_bench",
                    "--memory-step",
                    step,
                    "--state",
                    str(state_files[step]),
                ],
                cwd=cwd,
                stdout=subprocess.PIPE,
                text=True,
            )
            for step in pair
        }
        for step, proc in procs.items():
            out, _err = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"memory measurement of {step} failed")
            results[step] = json.loads(out.strip().splitlines()[-1])
    return results


if __name__ == "__main__":
    sys.exit(main())
