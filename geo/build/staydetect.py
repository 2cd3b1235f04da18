"""Stay detection on the pings sorted by (device, time): one DuckDB sort, then NumPy on the sorted stream.

This is the pipeline's first step. DuckDB sorts the pings once (``queries/build/stay_stream.sql``:
device, time in microseconds and the position projected to metres) and hands the sorted rows over as
Arrow record batches; :func:`detect_stays` finds the stays in each batch with a dozen vectorised passes.
Batches are cut at device boundaries (a device's pings never straddle two calls), and a reader thread
pulls the next batch from DuckDB while NumPy works on the current one, so the step costs little more
than the sort itself.

The rules are exactly those of the SQL formulation in ``queries/build/detect_stays_sql.sql``
(kept as the engine-neutral reference: a distributed SQL engine can run it unchanged, and the tests prove
both give the same stays):

* A **run** is a maximal sequence of consecutive pings of one device in which each ping lies within
  ``radius_m`` of the previous one (squared projected distance ``> radius²`` breaks it) and follows it
  by at most ``max_gap_us``. Runs of two or more pings count; a lone ping is a stray.
* A run's centre is the mean of its first and last ping.
* Two consecutive runs of a device are **merged** when at most ``max_outliers`` stray pings lie between
  them, their centres are within ``radius_m`` and the gap between them is at most ``max_gap_us``.
* A **stay** is a merged group lasting at least ``min_stay_us`` (inclusive); its centre is the
  ping-weighted mean of its runs' centres and ``n_pings`` the pings in its runs.

The kernel is a pure function of sorted arrays, so the same code can run per device partition elsewhere
(e.g. a Spark ``applyInPandas`` over pings grouped by device and sorted by time).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

#: Columns of the stay table :func:`stream_stays` returns (times in microseconds, x/y in metres).
STAY_COLUMNS = ("device", "start_t", "end_t", "x", "y", "n_pings")

#: Rows per Arrow batch read from DuckDB (a few MB per column: fits the CPU caches' neighbourhood).
BATCH_ROWS = 262_144


@dataclass(frozen=True)
class StayRules:
    """Stay detection thresholds in the kernel's units (metres and microseconds)."""

    radius_m: float
    max_gap_us: float
    min_stay_us: float
    max_outliers: int


def _empty() -> dict[str, np.ndarray]:
    return {
        "device": np.empty(0, np.uint64),
        "start_t": np.empty(0, np.int64),
        "end_t": np.empty(0, np.int64),
        "x": np.empty(0, np.float64),
        "y": np.empty(0, np.float64),
        "n_pings": np.empty(0, np.int64),
    }


def _order_ties(device: np.ndarray, t: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put each group of pings of one device at the same time in (x, y) order; returns the new x, y.

    Only the rows in such groups move (a few in ten thousand in a feed); device and t are equal within
    a group, so only the positions are permuted.
    """
    tie = (t[1:] == t[:-1]) & (device[1:] == device[:-1])
    if not tie.any():
        return x, y
    in_group = np.zeros(len(t), dtype=bool)
    in_group[1:] |= tie
    in_group[:-1] |= tie
    rows = np.flatnonzero(in_group)
    starts = np.ones(len(rows), dtype=bool)  # a row starts a group unless it ties with the row before
    starts[1:] = ~tie[rows[1:] - 1]
    group = np.cumsum(starts)
    moved = rows[np.lexsort((y[rows], x[rows], group))]
    x, y = x.copy(), y.copy()
    x[rows], y[rows] = x[moved], y[moved]
    return x, y


def detect_stays(
    device: np.ndarray, t: np.ndarray, x: np.ndarray, y: np.ndarray, rules: StayRules
) -> dict[str, np.ndarray]:
    """Stays of whole devices from pings sorted by (device, t); arrays keyed by ``STAY_COLUMNS``.

    Every device present must have all its pings in the arrays. Pings of one device at the same time are
    put in (x, y) order here, so the result never depends on the order ties arrive in (DuckDB sorts by
    device and time only: two fewer sort keys, ~20% faster). Output is in (device, start) order.
    """
    n = len(device)
    if n == 0:
        return _empty()
    x, y = _order_ties(device, t, x, y)
    r2 = rules.radius_m * rules.radius_m
    # breaks[i]: ping i+1 does not continue ping i's run (new device, too far, or too late)
    dx = x[1:] - x[:-1]
    dy = y[1:] - y[:-1]
    breaks = device[1:] != device[:-1]
    breaks |= dx * dx + dy * dy > r2
    breaks |= (t[1:] - t[:-1]) > rules.max_gap_us
    opens = np.empty(n, dtype=bool)
    opens[0] = True
    opens[1:] = breaks
    closes = np.empty(n, dtype=bool)
    closes[-1] = True
    closes[:-1] = breaks
    # first and last ping of every run of two or more pings; they pair up in order
    first = np.flatnonzero(opens & ~closes)
    last = np.flatnonzero(closes & ~opens)
    if len(first) == 0:
        return _empty()
    dev = device[first]
    start_t = t[first]
    end_t = t[last]
    cx = (x[first] + x[last]) / 2
    cy = (y[first] + y[last]) / 2
    pings = last - first + 1
    # a run continues the previous run's stay: same device, few strays between, same spot, small gap
    joins = np.zeros(len(first), dtype=bool)
    if len(first) > 1:
        ddx = cx[1:] - cx[:-1]
        ddy = cy[1:] - cy[:-1]
        joins[1:] = (
            (dev[1:] == dev[:-1])
            & (first[1:] - last[:-1] - 1 <= rules.max_outliers)
            & (ddx * ddx + ddy * ddy <= r2)
            & ((start_t[1:] - end_t[:-1]) <= rules.max_gap_us)
        )
    heads = np.flatnonzero(~joins)
    n_pings = np.add.reduceat(pings, heads)
    stay_start = start_t[heads]
    stay_end = np.maximum.reduceat(end_t, heads)
    keep = (stay_end - stay_start) >= rules.min_stay_us
    return {
        "device": dev[heads][keep],
        "start_t": stay_start[keep],
        "end_t": stay_end[keep],
        "x": (np.add.reduceat(cx * pings, heads) / n_pings)[keep],
        "y": (np.add.reduceat(cy * pings, heads) / n_pings)[keep],
        "n_pings": n_pings[keep],
    }


def _whole_devices(batches: Iterable[pa.RecordBatch]) -> Iterator[list[np.ndarray]]:
    """Re-cut sorted (device, t, x, y) batches so that no device straddles two chunks."""
    carry: list[np.ndarray] | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        cols = [batch.column(i).to_numpy(zero_copy_only=False) for i in range(4)]
        if carry is not None:
            # the carried device may continue at the head of this batch
            j = int(np.searchsorted(cols[0], carry[0][-1], side="right"))
            carry = [np.concatenate([c, b[:j]]) for c, b in zip(carry, cols, strict=True)]
            cols = [b[j:] for b in cols]
            if len(cols[0]) == 0:
                continue
            yield carry
            carry = None
        cut = int(np.searchsorted(cols[0], cols[0][-1], side="left"))  # first row of the last device
        if cut:
            yield [c[:cut] for c in cols]
        carry = [c[cut:] for c in cols]
    if carry is not None:
        yield carry


def _prefetch(batches: Iterable[pa.RecordBatch], depth: int = 3) -> Iterator[pa.RecordBatch]:
    """Iterate ``batches`` in a reader thread, ``depth`` batches ahead (DuckDB releases the GIL)."""
    box: queue.Queue[object] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def offer(item: object) -> bool:
        """Queue ``item`` unless the consumer has stopped; False once it has."""
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(done)
        except BaseException as exc:  # handed to the consumer and re-raised there
            offer(exc)

    reader = threading.Thread(target=read, name="stay-stream-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = box.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join()  # it stops after the batch it is fetching


def stream_stays(batches: Iterable[pa.RecordBatch], rules: StayRules) -> pa.Table:
    """Stays of every device in sorted (device, t, x, y) record batches, as an Arrow table.

    ``batches`` must be sorted by device, then time (ties in any order); columns in that order with
    types uint64, int64, float64, float64.
    """
    parts = [detect_stays(*chunk, rules) for chunk in _whole_devices(_prefetch(batches))]
    if not parts:
        parts = [_empty()]
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in STAY_COLUMNS}
    return pa.table(arrays)
