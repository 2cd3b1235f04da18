"""Stay detection on the pings sorted by (device, time): one DuckDB sort, then a compiled scan of the stream.

This is the pipeline's first step. DuckDB sorts the pings once (``queries/build/stay_stream.sql``:
device, time in microseconds and the position projected to metres) and hands the sorted rows over as
Arrow record batches; :func:`detect_stays` finds the stays in each batch in one compiled pass
(``kernels.stays``). Batches are cut at device boundaries (a device's pings never straddle two calls),
and a reader thread pulls the next batch from DuckDB while the current one is scanned, so the step costs
little more than the sort itself, and the caller has time for each chunk's stays (:func:`stay_chunks`).

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

from geo.build import kernels

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


def empty() -> dict[str, np.ndarray]:
    """No stays: the arrays keyed by ``STAY_COLUMNS``, empty, with their types."""
    return {
        "device": np.empty(0, np.uint64),
        "start_t": np.empty(0, np.int64),
        "end_t": np.empty(0, np.int64),
        "x": np.empty(0, np.float64),
        "y": np.empty(0, np.float64),
        "n_pings": np.empty(0, np.int64),
    }


def _ties(device: np.ndarray, t: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
    """Each group of pings of one device at the same time put in (x, y) order: (rows of such pings, in
    increasing order, and the x and y each takes), for ``kernels.stays``. ``device`` (as int64) and ``t``
    come read-only (``kernels.frozen``).

    Only the rows in such groups move (a few in ten thousand in a feed); device and t are equal within
    a group, so only the positions are permuted, and the chunk's arrays are left as they are.
    """
    rows, group = kernels.tie_groups(device, t)
    if not len(rows):
        return rows, np.empty(0, np.float64), np.empty(0, np.float64)
    moved = rows[np.lexsort((y[rows], x[rows], group))]
    return rows, x[moved], y[moved]


def detect_stays(
    device: np.ndarray, t: np.ndarray, x: np.ndarray, y: np.ndarray, rules: StayRules
) -> dict[str, np.ndarray]:
    """Stays of whole devices from pings sorted by (device, t); arrays keyed by ``STAY_COLUMNS``.

    Every device present must have all its pings in the arrays. Pings of one device at the same time are
    put in (x, y) order here, so the result never depends on the order ties arrive in (DuckDB sorts by
    device and time only: two fewer sort keys, ~20% faster). Output is in (device, start) order.
    """
    if len(device) == 0:
        return empty()
    frozen = kernels.frozen
    device = frozen(np.asarray(device, np.uint64).view(np.int64), np.int64)
    t, x, y = frozen(t, np.int64), frozen(x, np.float64), frozen(y, np.float64)
    tie_rows, tie_x, tie_y = _ties(device, t, x, y)
    dev, start, end, cx, cy, pings = kernels.stays(
        device, t, x, y, frozen(tie_rows, np.int64), frozen(tie_x, np.float64), frozen(tie_y, np.float64),
        float(rules.radius_m), float(rules.max_gap_us), float(rules.min_stay_us), int(rules.max_outliers))
    return {"device": dev.view(np.uint64), "start_t": start, "end_t": end, "x": cx, "y": cy, "n_pings": pings}


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


def stay_chunks(batches: Iterable[pa.RecordBatch], rules: StayRules) -> Iterator[dict[str, np.ndarray]]:
    """The stays of sorted (device, t, x, y) record batches, chunk by chunk as the batches arrive (arrays
    keyed by ``STAY_COLUMNS``; whole devices per chunk, chunks in device order), so a caller can work on
    one chunk's stays while DuckDB hands over the next batch.

    ``batches`` must be sorted by device, then time (ties in any order); columns in that order with
    types uint64, int64, float64, float64.
    """
    for chunk in _whole_devices(_prefetch(batches)):
        yield detect_stays(*chunk, rules)


def stream_stays(batches: Iterable[pa.RecordBatch], rules: StayRules) -> pa.Table:
    """Stays of every device in sorted (device, t, x, y) record batches (``stay_chunks``), as one Arrow
    table."""
    parts = list(stay_chunks(batches, rules)) or [empty()]
    return pa.table({k: np.concatenate([p[k] for p in parts]) for k in STAY_COLUMNS})
