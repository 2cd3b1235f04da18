"""The best visiting order: optimal on small cases (checked by a plain brute force), the heuristic above the
exact limit, and day plans that respect opening hours and the day's length."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geo.services import tours


def _random(n: int, seed: int) -> np.ndarray:
    """Asymmetric driving seconds between ``n`` random points (one-way streets make A→B ≠ B→A)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n, 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 8.0
    d = d * rng.uniform(1.0, 1.4, (n, n))
    np.fill_diagonal(d, 0)
    return d


def _brute(seconds: np.ndarray, closed: bool, plan: tours.DayPlan | None = None) -> tuple:
    """The best cost by trying every order in plain Python (the reference the vectorised search must match)."""
    n = seconds.shape[0]
    best = None
    for perm in itertools.permutations(range(1, n)):
        cost = _cost_plain(seconds, (0, *perm), closed, plan)
        best = cost if best is None or cost < best else best
    return best


def _cost_plain(seconds, order, closed, plan):
    drive = sum(seconds[a, b] for a, b in itertools.pairwise(order)) + (seconds[order[-1], order[0]] if closed else 0)
    if plan is None:
        return (0, 1, round(drive, 6))
    sched = tours.schedule(seconds, list(order), plan, closed=closed)
    visits = sched[sched["note"] != "back at the start"]
    late = int(visits["note"].isin(["outside its opening hours", "ends after the day's end"]).sum())
    return (late, int(sched["day"].max()), round(drive, 6))


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
@pytest.mark.parametrize("closed", [False, True])
def test_exact_order_is_optimal_by_brute_force(n: int, closed: bool) -> None:
    for seed in range(3):
        seconds = _random(n, seed)
        tour = tours.best_order(seconds, closed=closed)
        assert tour.method == "exact" and tour.order[0] == 0 and sorted(tour.order) == list(range(n))
        assert round(tour.drive_seconds, 6) == _brute(seconds, closed)[2]
        assert round(tour.drive_seconds, 6) == _cost_plain(seconds, tour.order, closed, None)[2]


@pytest.mark.parametrize("closed", [False, True])
def test_exact_order_with_opening_hours_is_optimal_by_brute_force(closed: bool) -> None:
    rng = np.random.default_rng(11)
    for seed in range(3):
        n = 6
        seconds = _random(n, seed) * 3
        opens = tuple(float(h) if h >= 0 else None for h in rng.integers(-3, 14, n))
        closes = tuple(None if o is None else min(o + float(rng.integers(2, 9)), 24.0) for o in opens)
        plan = tours.DayPlan(start_hour=8, day_hours=6, visit_minutes=75, open_hour=opens, close_hour=closes)
        tour = tours.best_order(seconds, closed=closed, plan=plan)
        assert (tour.late, tour.days, round(tour.drive_seconds, 6)) == _brute(seconds, closed, plan)


def test_heuristic_above_the_exact_limit_matches_exact_on_random_cases() -> None:
    for seed in range(4):
        for n in (9, 10):
            seconds = _random(n, 100 + seed)
            exact = tours.best_order(seconds, closed=seed % 2 == 0, exact_max=n)
            heuristic = tours.best_order(seconds, closed=seed % 2 == 0, exact_max=n - 1)
            assert exact.method == "exact" and heuristic.method == "heuristic"
            assert heuristic.drive_seconds <= exact.drive_seconds * 1.02
    twelve = tours.best_order(_random(12, 5))
    assert twelve.method == "heuristic" and sorted(twelve.order) == list(range(12))


def test_day_plan_waits_for_opening_and_starts_a_new_day() -> None:
    # three places 30 minutes apart; the second opens at 11:00, the third closes at 12:00
    s = np.full((3, 3), 1800.0)
    np.fill_diagonal(s, 0)
    plan = tours.DayPlan(start_hour=9, day_hours=4, visit_minutes=60, open_hour=(None, 11.0, 8.0),
                         close_hour=(None, 18.0, 12.0))
    sched = tours.schedule(s, [0, 1, 2], plan)
    assert [tours.clock(m) for m in sched["start"]] == ["09:00", "11:00", "09:30"]
    assert sched["note"].tolist() == ["", "waits for opening", ""]
    assert sched["day"].tolist() == [1, 1, 2]           # 12:00 + 30 min drive misses the 12:00 closing: next day
    best = tours.best_order(s, plan=plan)
    assert best.order == (0, 2, 1) and best.days == 1 and best.late == 0   # the early-closing place first


def test_clock_and_overnight_hours() -> None:
    assert tours.clock(9 * 60 + 5) == "09:05" and tours.clock(25 * 60) == "01:00 +1d"
    opens, closes = tours.DayPlan(open_hour=(18.0,), close_hour=(2.0,)).window(1)
    assert opens[0] == 18 * 60 and closes[0] == 26 * 60
