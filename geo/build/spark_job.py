"""The Spark engine as a ``spark-submit`` application: ``geo aggregate --engine spark`` under Spark's launcher.

``spark-submit`` runs a Python *file*, not a module::

    spark-submit --master local[2] geo/build/spark_job.py --pings pings/ --out flows/ --db atlas.duckdb

The arguments are ``geo aggregate``'s, less ``--engine`` (always ``spark``) and ``--master`` (the master is
spark-submit's: ``--master``, ``spark.master`` or the cluster manager's). The session keeps every setting
spark-submit gave (``geo.build.spark.session(None)``); the job adds the atlas's own (local timestamps,
Arrow). docs/scale.md has the command for a cluster and the one the tests run in ``local[2]``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run ``geo aggregate --engine spark`` with ``argv`` (default: the command line) on spark-submit's master."""
    from geo.__main__ import main as geo_main

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a == "--engine" or a.startswith("--engine=") for a in args):
        print("error: spark_job.py always runs --engine spark; leave --engine out", file=sys.stderr)
        return 2
    if any(a == "--master" or a.startswith("--master=") for a in args):
        print("error: give the master to spark-submit (--master URL), not to the job", file=sys.stderr)
        return 2
    return geo_main(["aggregate", "--engine", "spark", *args])


if __name__ == "__main__":
    # run as a file: Python put this folder first on sys.path, where its modules (run, seed, events, ...)
    # would shadow top-level ones; the package comes from the environment (installed) or the checkout
    here = Path(__file__).resolve().parent
    if sys.path and Path(sys.path[0] or ".").resolve() == here:
        sys.path.pop(0)
    try:
        import geo  # noqa: F401
    except ImportError:  # a checkout that is not installed: its root holds the package
        sys.path.insert(0, str(here.parents[1]))
    sys.exit(main())
