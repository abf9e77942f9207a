"""Bootstrap over HTTP, two source trees served side by side, alternating (row 2's A/B).

    .venv/bin/python -m bench.boot_http_ab --before DIR [--database gridwork_pullprof]
        [--rounds 8] [--user USERNAME]

Serves ``--before`` (a ``git archive`` of the base, with ``.venv`` and ``.data`` linked or
copied in) and this tree under gunicorn on the same scratch database (the one
``bench.pull_profile`` leaves), then a new device of the busiest assistant (or
``--user``) bootstraps from each in turn, pages of 1,000, as row 2's phones do. Prints
the median (min) seconds per arm and the load average.
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path

from bench.common import database_url, median, progress, timed
from bench.demo_data import busiest_assistant
from bench.gridwork_server import Phone, serving

PAGE = 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bootstrap A/B over HTTP. "
                                     "通过 HTTP 对比两个版本的全量同步。")
    parser.add_argument("--before", required=True, type=Path, help="the base tree")
    parser.add_argument("--database", default="gridwork_pullprof", help="scratch database")
    parser.add_argument("--rounds", type=int, default=8, help="bootstraps per arm")
    parser.add_argument("--user", help="who bootstraps (default: the busiest assistant)")
    args = parser.parse_args(argv)
    from sqlalchemy.engine import make_url

    url = (make_url(database_url()).set(drivername="postgresql+psycopg", database=args.database)
           .render_as_string(hide_password=False))
    username = args.user or busiest_assistant(url)[0]
    with serving(url, "before", args.before.resolve()) as before, serving(url, "after") as after:
        arms = {"before": before, "after": after}
        seconds: dict[str, list[float]] = {arm: [] for arm in arms}
        n = 0
        for round_ in range(args.rounds + 1):
            for arm, base in arms.items():
                phone = Phone(base, username, f"bench-ab-{uuid.uuid4().hex[:8]}")
                (records, _), took = timed(phone.bootstrap, PAGE)
                phone.close()
                n = len(records)
                if round_:  # the first round warms both servers
                    seconds[arm].append(took)
        for arm, got in seconds.items():
            progress(f"{arm}: {n:,} records, median {median(got):.3f} s (min {min(got):.3f}) "
                     f"of {len(got)}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
