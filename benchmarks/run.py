"""``make bench``: run the release-publisher benchmarks and report them.

Usage::

    .venv/bin/python benchmarks/run.py [--only upload,memory,...] [--runs N]
                                       [--no-write] [--profile]

``make bench`` passes no flags; the environment variable ``BENCH_ARGS`` (e.g.
``make bench BENCH_ARGS='--only poll --runs 7'``) is read when there are none.

Suites: upload (240 MB, CLI vs curl, loopback and 50 MB/s), memory (peak RSS), poll
(latency after processing), startup (``check`` wall time, imports), container (image
size, ``docker run --version``), growth (25/100/240 MB), release (a whole release
against its critical path, benchmarks/release_suite.py). Prints a Markdown table with
the date and machine, stores the figures in ``benchmarks/results.json`` (merged with
earlier runs of the suites not selected) and rewrites the results section of
``benchmarks/README.md``. Exits 0 when every selected suite was measured (targets
missed or not), 1 when one failed to run, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    BENCH,
    CLI,
    MB,
    PYTHON,
    ROOT,
    WORK,
    BenchError,
    clean_env,
    client_ready,
    ensure_jar,
    machine,
    sink,
    write_config,
)
from benchmarks.release_suite import release
from benchmarks.suites import NEEDS_CLIENT, NOT_MEASURED, SUITES, Section

SUITES["release"] = lambda n: [release(n)]
NEEDS_CLIENT = NEEDS_CLIENT | {"release"}

RESULTS_JSON = BENCH / "results.json"
README = BENCH / "README.md"
BEGIN = "<!-- bench:results:begin (written by benchmarks/run.py) -->"
END = "<!-- bench:results:end -->"
#: Section keys in table order.
ORDER = ("upload", "upload_net", "memory", "poll", "startup", "container", "growth", "release")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Flags; ``BENCH_ARGS`` from the environment when ``argv`` is empty."""
    if not argv and os.environ.get("BENCH_ARGS"):
        argv = shlex.split(os.environ["BENCH_ARGS"])
    parser = argparse.ArgumentParser(description="release-publisher benchmarks")
    parser.add_argument(
        "--only",
        default=",".join(SUITES),
        help=f"comma-separated suites (default: all): {', '.join(SUITES)}",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median; >= 1)")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave results.json and README"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of the suites: cProfile one 240 MB publish and print the top functions",
    )
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SUITES]
    if unknown or not chosen:
        parser.error(
            f"--only: unknown suite(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(SUITES)}"
        )
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.suites = chosen
    return args


# -- report ----------------------------------------------------------------------


def _section_dict(sec: Section, date: str, runs: int) -> dict[str, Any]:
    return {
        "title": sec.title,
        "date": date,
        "runs": runs,
        "rows": [vars(r) for r in sec.rows],
        "notes": sec.notes,
        "raw": sec.raw,
    }


def render(mach: dict[str, str], sections: dict[str, dict[str, Any]]) -> str:
    """The Markdown results: machine line, the table, then notes per section."""
    dates = {s["date"] for s in sections.values()}
    mixed = len(dates) > 1
    lines = [
        f"Run {mach['date']} on {mach['cpu']}, {mach['cores']} cores, {mach['ram']} RAM, "
        f"{mach['kernel']}, Python {mach['python']}, {mach['curl']}.",
        "",
        "| Benchmark | Figure (median) | Target | Result |" + (" Measured |" if mixed else ""),
        "|---|---|---|---|" + ("---|" if mixed else ""),
    ]
    for key in ORDER:
        sec = sections.get(key)
        if sec is None:
            continue
        for row in sec["rows"]:
            status = row["status"]
            shown = f"**{status}**" if status == "MISS" else status
            cells = [row["benchmark"], row["figure"], row["target"], shown]
            if mixed:
                cells.append(f"{sec['date']} ({sec['runs']} runs)")
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = [(key, n) for key in ORDER if key in sections for n in sections[key]["notes"]]
    if notes:
        lines += ["", "Measurements behind the figures:", ""]
        lines += [f"- {sections[key]['title']}: {note}" for key, note in notes]
    return "\n".join(lines) + "\n"


def write_readme(results_md: str) -> None:
    """Replace the text between the result markers of README.md (append if absent)."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{results_md}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


# -- profiling -------------------------------------------------------------------


def profile() -> int:
    """cProfile one 240 MB publish to the loopback sink (main thread only: the hashing
    thread is not seen) and print the top functions by own and cumulative time."""
    import pstats

    jar = ensure_jar(240 * MB)
    out = WORK / "profile.pstats"
    with sink(name="profile") as s:
        config = write_config(jar, s.url)
        proc = subprocess.run(
            [
                str(PYTHON),
                "-m",
                "cProfile",
                "-o",
                str(out),
                str(CLI),
                "publish",
                "--config",
                str(config),
                "--base-url",
                s.url,
            ],
            env=clean_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
            return 1
        s.last_upload(jar.stat().st_size)
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)
    return 0


# -- main ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the selected suites, print and store the results; see the module doc."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.profile:
        return profile()
    mach = machine()
    print(
        f"# release-publisher benchmarks ({mach['date']}, {args.runs} runs per figure)\n",
        flush=True,
    )
    blocked = client_ready() if NEEDS_CLIENT & set(args.suites) else None
    measured: dict[str, dict[str, Any]] = {}
    failed = False
    for name in args.suites:
        print(f"running {name} ...", flush=True)
        if name in NEEDS_CLIENT and blocked:
            sec = Section(name, name).skipped(f"publish cannot run ({blocked})")
            measured[name] = _section_dict(sec, mach["date"], args.runs)
            continue
        try:
            sections = SUITES[name](args.runs)
        except (BenchError, OSError, subprocess.SubprocessError) as exc:
            failed = True
            detail = traceback.format_exc() if not isinstance(exc, BenchError) else str(exc)
            print(f"  {name} failed: {detail}", file=sys.stderr, flush=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            sections = [Section(name, name).skipped(f"error: {first}")]
        for sec in sections:
            measured[sec.key] = _section_dict(sec, mach["date"], args.runs)
            for row in sec.rows:
                print(f"  {row.benchmark}: {row.figure} [{row.status}]", flush=True)
    print()
    print(render(mach, measured))
    if not args.no_write:
        stored: dict[str, Any] = {}
        if RESULTS_JSON.exists():
            try:
                stored = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
            except ValueError:
                stored = {}
        sections_all: dict[str, Any] = dict(stored.get("sections", {}))
        for key, sec_d in measured.items():
            keep = sections_all.get(key)
            not_measured = all(r["status"] == NOT_MEASURED for r in sec_d["rows"])
            if not_measured and keep and not all(r["status"] == NOT_MEASURED for r in keep["rows"]):
                # keep the last real figures, but say this run could not measure them
                keep["notes"] = [
                    *(n for n in keep["notes"] if not n.startswith("not re-measured")),
                    f"not re-measured on {mach['date']}: {sec_d['rows'][0]['figure']}",
                ]
                continue
            sections_all[key] = sec_d
        ordered = {k: sections_all[k] for k in ORDER if k in sections_all}
        RESULTS_JSON.write_text(
            json.dumps({"machine": mach, "sections": ordered}, indent=1) + "\n", encoding="utf-8"
        )
        write_readme(render(mach, ordered))
        print(f"wrote {RESULTS_JSON.relative_to(ROOT)} and {README.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
