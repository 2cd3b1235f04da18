"""Command line: ``python -m geo build | import | publish | info | route | report | sql | user | assets | bench``
(``python -m geo -h``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from geo.errors import AtlasError


def _positive(text: str) -> int:
    """A positive whole number: ``1000000``, ``1_000_000`` or ``1e6``."""
    clean = text.replace("_", "").strip()
    try:
        value = int(clean)
    except ValueError:
        number = float(clean)  # "1e9"; a ValueError here is argparse's "invalid value"
        if not number.is_integer():
            msg = f"must be a positive whole number, got {text}"
            raise argparse.ArgumentTypeError(msg) from None
        value = int(number)
    if value <= 0:
        msg = f"must be a positive whole number, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _power_of_two(text: str) -> int:
    """A device partition count: a positive power of two (1, 2, 4, ... 4096)."""
    value = _positive(text)
    if value & (value - 1) or value > 4096:
        msg = f"must be a power of two from 1 to 4096, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _cmd_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from geo.build.run import BuildOptions, build_database

    options = BuildOptions(
        seed=args.seed,
        visitors=args.visitors,
        pings=args.pings,
        days=args.days,
        start=args.start,
        flows=not args.no_flows,
        keep_roads=not args.no_roads,
        partitions=args.partitions,
    )
    stages = ["seed"] + ([] if args.no_flows else ["simulate", "pipeline", "rollups"])
    bar = tqdm(total=len(stages), desc="build", unit="step", disable=args.quiet)

    def progress(stage: str) -> None:
        if bar.n < stages.index(stage):
            bar.update(stages.index(stage) - bar.n)
        bar.set_postfix_str(stage)

    report = build_database(args.db, options, progress=progress)
    bar.update(bar.total - bar.n)
    bar.close()
    if not args.quiet:
        width = max(len(t) for t in report.counts)
        for table, n in report.counts.items():
            print(f"  {table:<{width}}  {n:>12,}")
        from bench.run import peak_rss_mb

        for note in report.notes:
            if note:
                print(f"  {note}")
        if report.pipeline_stages:
            print("  pipeline stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report.pipeline_stages.items()))
        print(f"built {report.path} in {report.seconds['total']:.1f} s; peak memory {peak_rss_mb():,.0f} MB")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.errors import ImportRefusedError
    from geo.ingest.fields import parse_map_options
    from geo.ingest.run import ImportOptions, import_file, problems_csv

    options = ImportOptions(
        layer=args.layer, level=args.level, mapping=parse_map_options(args.map or []),
        category=tuple(args.category or ()), replace=args.replace, strict=args.strict, dry_run=args.dry_run,
        attribution=args.attribution, source_layer=args.source_layer,
        max_bytes=args.max_mb * 1024 * 1024 if args.max_mb else None,
    )
    try:
        report = import_file(args.path, options, args.db)
    except ImportRefusedError as exc:
        if args.report:
            args.report.write_text(problems_csv(exc.problems), encoding="utf-8-sig")
        print(f"error: {exc}", file=sys.stderr)
        for problem in exc.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(exc.problems) > 20:
            print(f"  ... {len(exc.problems) - 20:,} more" + (f" in {args.report}" if args.report else
                                                             " (--report FILE lists them all)"), file=sys.stderr)
        print("the database was not changed", file=sys.stderr)
        return 2
    if args.report:
        args.report.write_text(problems_csv(report.problems), encoding="utf-8-sig")
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.summary_lines()))
        for problem in report.problems[:10]:
            print(f"  {problem}")
        if len(report.problems) > 10:
            print(f"  ... {len(report.problems) - 10:,} more problems"
                  + (f" in {args.report}" if args.report else " (--report FILE lists them all)"))
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from geo.publish.run import publish

    report = publish(args.out, args.db, floor=args.floor)
    if not args.quiet:
        print("\n".join(report.summary_lines()))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from geo.db import connect
    from geo.services.catalog import describe

    con = connect(args.db, "officials", read_only=True)
    try:
        info = describe(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, sort_keys=False))
        return 0
    print("tables:")
    for table, n in info["tables"].items():
        print(f"  {table:<14} {n:>12,}")
    print("datasets:")
    for name, m in info["meta"].items():
        label = "SIMULATED" if m["simulated"] else "real"
        seed = f", seed {m['seed']}" if m["seed"] is not None else ""
        print(f"  {name:<8} {label}{seed}; built {m['built_at']}; {m['sources']}")
    return 0


def _cmd_route(args: argparse.Namespace) -> int:
    from geo.db import connect
    from geo.errors import FilterError
    from geo.services.movement import plan_route
    from geo.settings import get_settings

    settings = get_settings()
    con = connect(args.db or settings.db_path, "officials", read_only=True)
    try:
        route = plan_route(con, args.places, speed_kmh=settings.route_speed_kmh, order=args.order,
                           closed=args.closed, day_hours=args.day_hours, start_hour=args.day_start,
                           visit_minutes=args.visit_minutes)
    finally:
        con.close()
    if len(route.stops) < 2:
        found = ", ".join(route.stops["place_id"]) or "none"
        msg = (f"a route needs two or more known places; found {found}"
               + (f"; unknown: {', '.join(route.missing)}" if route.missing else ""))
        raise FilterError(msg)
    legs = [{"from": r["from_id"], "to": r["to_id"], "metres": round(float(r["distance_km"]) * 1000, 1),
             "seconds": round(float(r["minutes"]) * 60, 1), "on_roads": bool(r["on_roads"]),
             "snap_from_m": None if r["snap_from_m"] != r["snap_from_m"] else round(float(r["snap_from_m"]), 1),
             "snap_to_m": None if r["snap_to_m"] != r["snap_to_m"] else round(float(r["snap_to_m"]), 1),
             "note": r["note"]} for r in route.legs.to_dict("records")]
    doc = {"legs": legs, "total_m": round(route.distance_km * 1000, 1), "total_s": round(route.minutes * 60, 1),
           "order": list(route.stops["place_id"]), "method": route.order, "closed": route.closed,
           "routing": route.label, "missing": list(route.missing)}
    if route.days is not None:
        doc["days"] = route.days.drop(columns=["name_th"]).to_dict("records")
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    print(f"{route.order}, {route.label}")
    width = max(len(leg["from"]) for leg in legs)
    width_to = max(len(leg["to"]) for leg in legs) + 1
    for leg in legs:
        how = "on roads" if leg["on_roads"] else f"straight line ({leg['note'] or 'no road network'})"
        print(f"  {leg['from']:<{width}} -> {leg['to'] + ':':<{width_to}} {leg['metres']:>10,.0f} m "
              f"{leg['seconds']:>8,.0f} s  {how}")
    print(f"total: {doc['total_m']:,.0f} m, {doc['total_s']:,.0f} s ({doc['total_s'] / 60:,.0f} min)")
    if route.days is not None:
        for r in route.days.to_dict("records"):
            print(f"  day {r['day']}: {r['start']}-{r['depart']} {r['place_id']}" + (f" ({r['note']})" if r["note"] else ""))
    if route.missing:
        print(f"unknown place ids left out: {', '.join(route.missing)}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from geo.db import connect
    from geo.report.pack import ReportOptions, build_report, parse_sections, report_filters
    from geo.settings import get_settings

    settings = get_settings()
    db = args.db or settings.db_path
    con = connect(db, "officials", read_only=True)
    try:
        options = ReportOptions(
            filters=report_filters(con, args.start, args.end), lang=args.lang, zone=args.zone,
            sections=parse_sections(args.sections), calendar=settings.seed_dir / "calendar.csv",
            database=Path(db).name,
        )
        result = build_report(con, options)
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(result.pdf)
    if not args.quiet:
        from geo.report.pack import page_count

        print(f"wrote {args.out} ({page_count(result.pdf)} pages, {len(result.pdf) / 1024:,.0f} KB) in "
              f"{result.seconds['total']:.1f} s")
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    from geo.db import connect, connect_console, console_cursor
    from geo.services.sqlconsole import csv_bytes, run_readonly
    from geo.settings import get_settings

    settings = get_settings()
    query = sys.stdin.read() if args.query == "-" else args.query
    limit = args.limit or settings.sql_row_limit
    timeout = args.timeout or settings.sql_timeout_s
    if args.public:
        con = connect(args.db, "public")
        cur = con.cursor()
    else:
        con = connect_console(args.db)
        cur = console_cursor(con)
    try:
        result = run_readonly(cur, query, row_limit=limit, timeout_s=timeout)
    finally:
        cur.close()
        con.close()
    if args.csv:
        data = csv_bytes(result.frame)
        if str(args.csv) == "-":
            sys.stdout.buffer.write(data.removeprefix(b"\xef\xbb\xbf"))
        else:
            args.csv.write_bytes(data)
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 80):
            print(result.frame.to_string(index=False) if len(result.frame.columns) else "(no columns)")
    more = f"; stopped at the row limit of {limit:,}, the query has more" if result.truncated else ""
    print(f"{len(result.frame):,} rows in {result.seconds:.2f} s{more}", file=sys.stderr)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        from geo.errors import AccountError

        msg = "the two passwords differ; nothing was changed"
        raise AccountError(msg)
    return first


def _cmd_user(args: argparse.Namespace) -> int:
    from geo.accounts import UserStore
    from geo.settings import get_settings

    path = args.users_file or get_settings().users_file
    store = UserStore(path)
    if args.action == "list":
        for name in store.names():
            print(name)
        return 0
    if not args.name:
        print(f"error: user {args.action} needs an account NAME", file=sys.stderr)
        return 2
    if args.action == "add":
        account = store.add(args.name, _read_password(args), replace=args.replace)
        print(f"{'password set for' if args.replace else 'added'} {account.name} in {path}")
    else:
        store.remove(args.name)
        print(f"removed {args.name.strip().lower()} from {path}; its open sessions end at their next action")
    return 0


def _cmd_assets(args: argparse.Namespace) -> int:
    from geo.render.assets import install_assets

    files = install_assets(args.dest)
    if not args.quiet:
        print(f"{len(files)} map asset files ready in {args.dest or 'static/'}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from bench.run import BenchOptions, main_bench

    if args.roads:
        from bench.roads import main_roads

        main_roads(args.edges, args.json, pairs=args.pairs, quiet=args.quiet)
        return 0
    options = BenchOptions(pings=args.pings, zone_points=args.zone_points, warm_runs=args.warm_runs,
                           pages=not args.no_pages, keep_db=args.keep_db, workdir=args.workdir, db=args.db,
                           pipeline_runs=args.pipeline_runs, partitions=args.partitions,
                           presence=not args.no_presence)
    main_bench(options, args.json, quiet=args.quiet)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` argument parser."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Tourism Atlas data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the atlas database atomically")
    b.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    b.add_argument("--seed", type=int, default=None, help="simulator seed (default 20251101)")
    size = b.add_mutually_exclusive_group()
    size.add_argument("--visitors", type=_positive, help="number of simulated visitors")
    size.add_argument("--pings", type=_positive, help="approximate number of simulated pings")
    b.add_argument("--days", type=_positive, default=None, help="days of simulated flows (default 365)")
    b.add_argument("--start", type=date.fromisoformat, default=None, help="first simulated day (default 2025-11-01)")
    b.add_argument("--no-flows", action="store_true", help="places, zones and cells only")
    b.add_argument("--partitions", type=_power_of_two, default=None,
                   help="device partitions the pipeline works through one after another (a power of two; default: "
                        "one per 25M pings asked for, docs/scale.md)")
    b.add_argument("--no-roads", action="store_true",
                   help="drop the imported road network instead of carrying it into the new database")
    b.add_argument("-q", "--quiet", action="store_true")
    b.set_defaults(func=_cmd_build)

    im = sub.add_parser("import", help="import places, zone boundaries or OpenStreetMap POIs (docs/import.md)",
                        description="Validate a file and load it into the atlas database; on any error the "
                                    "database is left byte-identical.")
    im.add_argument("path", type=Path, help="CSV/TSV, GeoJSON, GeoPackage, zipped Shapefile, GeoParquet, KML, "
                                            "FlatGeobuf, .osm.pbf or .osm")
    im.add_argument("--layer", required=True, choices=("places", "zones", "visits", "trips", "pings", "roads"),
                    help="roads: the routable network from an OpenStreetMap extract's highway=* ways (docs/roads.md)")
    im.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    im.add_argument("--source-layer", default=None, metavar="NAME",
                    help="the layer to read from a file with several (GeoPackage, KML folders, a zip of shapefiles)")
    im.add_argument("--level", default=None, help="zones: the level name the boundaries become (e.g. district)")
    im.add_argument("--map", action="append", metavar="DEST=SRC", help="take atlas field DEST from column SRC")
    im.add_argument("--category", action="append", metavar="VALUE|SRC=VALUE",
                    help="category for rows with none or an unknown one, or map one source value")
    mode = im.add_mutually_exclusive_group()
    mode.add_argument("--replace", dest="replace", action="store_true", default=None,
                      help="places: replace the loaded places of the file's layers; zones: replace the level "
                           "(the default for zones)")
    mode.add_argument("--append", dest="replace", action="store_false",
                      help="add to what is loaded (the default for places); an id already loaded is refused")
    im.add_argument("--strict", action="store_true", help="refuse the file if any row is rejected or warned about")
    im.add_argument("--dry-run", action="store_true", help="check and print the summary; change nothing")
    im.add_argument("--report", type=Path, default=None, help="write every problem (row, field, reason) as CSV")
    im.add_argument("--attribution", default=None, help="source and licence text shown with the data")
    im.add_argument("--max-mb", type=_positive, default=None,
                    help="refuse larger files (default 200 for places and zones; pings are streamed, no limit)")
    im.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    im.set_defaults(func=_cmd_import)

    pu = sub.add_parser("publish", help="write the public file: floored aggregates at fixed grains (docs/privacy.md)",
                        description="Read the officials' database and write a separate database that holds only "
                                    "what the public may see: places, tourism zones, H3 cells and aggregates at "
                                    "fixed grains, every row with at least the floor of distinct people. Atomic: "
                                    "on any error the previous file is left unchanged.")
    pu.add_argument("--out", type=Path, required=True, help="published file to write (e.g. data/public.duckdb)")
    pu.add_argument("--db", type=Path, default=None, help="officials' database (default: $ATLAS_DB or data/atlas.duckdb)")
    pu.add_argument("--floor", type=_positive, default=None,
                    help="fewest distinct people behind any published row (default: $ATLAS_PRIVACY_FLOOR or 10)")
    pu.add_argument("-q", "--quiet", action="store_true")
    pu.set_defaults(func=_cmd_publish)

    i = sub.add_parser("info", help="tables, row counts and dataset provenance")
    i.add_argument("--db", type=Path, default=None)
    i.add_argument("--json", action="store_true", help="print one JSON object")
    i.set_defaults(func=_cmd_info)

    ro = sub.add_parser("route", help="route through places on the road network (straight lines without one)",
                        description="Legs (from, to, metres, seconds, on_roads) and totals of a route through "
                                    "places, in the order given or the best order (docs/roads.md).")
    ro.add_argument("places", nargs="+", metavar="PLACE_ID", help="place ids (geo info / the Places page)")
    ro.add_argument("--order", choices=("given", "best"), default="given",
                    help="best: the first place stays the start, the others are reordered (up to 12 places)")
    ro.add_argument("--closed", action="store_true", help="come back to the first place")
    ro.add_argument("--day-hours", type=float, default=None, help="split into days of this many hours "
                                                                    "(respecting opening hours)")
    ro.add_argument("--day-start", type=float, default=9.0, help="hour the day starts (default 9)")
    ro.add_argument("--visit-minutes", type=float, default=60.0, help="minutes at each place (default 60)")
    ro.add_argument("--db", type=Path, default=None)
    ro.add_argument("--json", action="store_true",
                    help='print {"legs": [...], "total_m": ..., "total_s": ..., "order": [...]}')
    ro.set_defaults(func=_cmd_route)

    r = sub.add_parser("report", help="write the report pack (PDF) for a period, zone and sections",
                       description="The officials' pages as one printable A4 PDF: KPIs with the change against "
                                   "the previous period, maps, charts, top tables, sources (README: Exports and "
                                   "the report pack).")
    r.add_argument("--out", type=Path, required=True, help="PDF file to write")
    r.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    r.add_argument("--lang", choices=("en", "th"), default="en",
                   help="en, or th: Thai fonts and Thai place/zone names (labels stay English until translated)")
    r.add_argument("--from", dest="start", type=date.fromisoformat, default=None,
                   help="first day (default: the pages' default, the last 90 days of data)")
    r.add_argument("--to", dest="end", type=date.fromisoformat, default=None, help="last day (default: last day of data)")
    r.add_argument("--zone", default=None, help="narrow every section to one zone id (e.g. old_city)")
    r.add_argument("--sections", default=None, help="comma-separated: overview,density,flows,capacity,places (default all)")
    r.add_argument("-q", "--quiet", action="store_true")
    r.set_defaults(func=_cmd_report)

    q = sub.add_parser("sql", help="run one read-only SQL query (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)",
                       description="Run a read-only query on the atlas database: the file attached read-only with "
                                   "file, extension and network access off (--public: the public view's "
                                   "connection). COPY, ATTACH, INSTALL/LOAD, SET, PRAGMA and writes are refused.")
    q.add_argument("query", help="the query text, or - to read it from standard input")
    q.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    q.add_argument("--public", action="store_true", help="run on a public-mode connection, as the public view has")
    q.add_argument("--limit", type=_positive, default=None, help="most rows returned (default $ATLAS_SQL_ROW_LIMIT)")
    q.add_argument("--timeout", type=_positive, default=None, help="seconds before the query is stopped "
                                                                   "(default $ATLAS_SQL_TIMEOUT)")
    q.add_argument("--csv", type=Path, default=None, metavar="FILE",
                   help="write the rows as CSV (UTF-8 with BOM) to FILE, or to standard output with -")
    q.set_defaults(func=_cmd_sql)

    u = sub.add_parser("user", help="local officials' accounts: add, remove, list (ATLAS_USERS_FILE)",
                       description="Manage the local accounts the officials' app signs in with (ATLAS_AUTH=local). "
                                   "Passwords are stored as argon2 hashes in ATLAS_USERS_FILE (default "
                                   "~/.config/tourism-atlas/users.json), written with mode 0600.")
    u.add_argument("action", choices=("add", "remove", "list"))
    u.add_argument("name", nargs="?", default=None, help="account name (letters, digits, . _ @ -)")
    u.add_argument("--password-stdin", action="store_true", help="add: read the password from standard input "
                                                                "(one line) instead of prompting")
    u.add_argument("--replace", action="store_true", help="add: set a new password for an existing account")
    u.add_argument("--users-file", type=Path, default=None, help="accounts file (default: $ATLAS_USERS_FILE)")
    u.set_defaults(func=_cmd_user)

    a = sub.add_parser("assets", help="copy Leaflet and plugin assets from installed packages into static/")
    a.add_argument("--dest", type=Path, default=None)
    a.add_argument("-q", "--quiet", action="store_true")
    a.set_defaults(func=_cmd_assets)

    from bench.run import DEFAULT_PINGS, DEFAULT_PIPELINE_RUNS, DEFAULT_WARM_RUNS, DEFAULT_ZONE_POINTS

    be = sub.add_parser("bench", help="benchmark pipeline, zone join, pages and memory against baselines")
    be.add_argument("--pings", type=_positive, default=DEFAULT_PINGS,
                    help=f"simulated pings, e.g. 1e7, 1e8, 1e9 (default {DEFAULT_PINGS:,}; docs/benchmarks.md)")
    be.add_argument("--pipeline-runs", type=_positive, default=DEFAULT_PIPELINE_RUNS,
                    help="pipeline runs (the build's and reruns) and bare sorts; the best of each is compared")
    be.add_argument("--partitions", type=_power_of_two, default=None,
                    help="device partitions of the pipeline and the sort baseline (default: one per 25M pings)")
    be.add_argument("--json", type=Path, default=None, help="write the results as JSON to this file")
    be.add_argument("--zone-points", type=_positive, default=DEFAULT_ZONE_POINTS, help="points in the zone-join test")
    be.add_argument("--warm-runs", type=_positive, default=DEFAULT_WARM_RUNS, help="warm reruns per page")
    be.add_argument("--no-pages", action="store_true", help="skip the page and map-payload measures")
    be.add_argument("--no-presence", action="store_true",
                    help="skip presence_vs_groupby_ratio (its SQL recomputations take minutes at 1e9 pings)")
    be.add_argument("--keep-db", action="store_true", help="keep the temporary benchmark database")
    be.add_argument("--workdir", type=Path, default=None, help="folder for the temporary database")
    be.add_argument("--db", type=Path, default=None,
                    help="measure only the pages (warm/cold reruns, map payloads, app memory) on this existing "
                         "database; nothing is built")
    be.add_argument("--roads", action="store_true",
                    help="benchmark the road network instead: import a generated grid extract, shortest paths per "
                         "second, road loads (docs/benchmarks.md)")
    be.add_argument("--edges", type=_positive, default=200_000, help="--roads: directed edges of the grid")
    be.add_argument("--pairs", type=_positive, default=10_000, help="--roads: shortest paths measured")
    be.add_argument("-q", "--quiet", action="store_true")
    be.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; errors the user can fix print one line and exit 2."""
    args = build_parser().parse_args(argv)
    if args.command == "build":
        from geo.build.run import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_START

        args.seed = DEFAULT_SEED if args.seed is None else args.seed
        args.days = DEFAULT_DAYS if args.days is None else args.days
        args.start = DEFAULT_START if args.start is None else args.start
    try:
        return args.func(args)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
