"""Memory readings the benches share: the process's resident set from /proc, its peak restarted, and a run's
Python peak under tracemalloc."""

import contextlib
import tracemalloc
from pathlib import Path

MB = 1024 * 1024


def proc_status_mb(field: str) -> float:
    """A /proc/self/status field in MB (VmRSS: resident now; VmHWM: its peak since the last reset), NaN if absent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    """Restart VmHWM from the resident set now (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def traced_mb(run) -> float:
    """The Python peak (MB) of `run()` under tracemalloc."""
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / MB
