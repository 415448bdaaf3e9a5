"""A load that touches few participants rebuilds only theirs (etl/derive.py, clinical/scoped.py);
its result must be what a full rebuild of the same rows gives. Random sequences of daily loads, with
late arrivals, corrections (a session no longer attended, a score changed, a discharge reason
changed) and discharges arriving as corrections of their admission: after each load, its first
step is compared with a full rebuild (`etl rebuild` of a copy) for what it rebuilt, and after the
second step (`etl refresh`) every table is compared. IOP_INCREMENTAL_SEQUENCES runs more."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from clinical import marts, scoped
from etl.database import working_copy
from etl.demo import write_demo
from etl.demo.days import split_days
from etl.load import load, rebuild, refresh

SEQUENCES = int(os.environ.get("IOP_INCREMENTAL_SEQUENCES", "3"))
END = dt.date(2026, 11, 20)
# what a build stamps with its own time, not the data's
OWN_TIME = {"build_state": None, "dataset_info": ["built_at"]}
# participant marts that read the expected ranges, which the first step leaves as they were
READ_RANGES = {"recovery_status", "flags"}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _sequence(seed: int, tmp: Path) -> list[Path]:
    """Daily folders of a small random demo program, messed with as real daily exports are."""
    rng = random.Random(seed)
    write_demo(tmp / "demo", participants=rng.randint(25, 45), seed=seed)
    days = sorted(rng.sample(range(1, 40), rng.randint(3, 5)))
    cuts = [END - dt.timedelta(days=45)] + [END - dt.timedelta(days=40 - d) for d in days] + [END]
    folders = split_days(tmp / "demo", tmp / "days", cuts)
    # some participants are never on the roster (episodes inferred from attendance, ended 30 days
    # after the last session by the data date) and some reach it late
    people = sorted(set(_csv(tmp / "demo" / "roster.csv")["Client ID"]))
    never = set(rng.sample(people, len(people) // 5))
    late = set(rng.sample(sorted(set(people) - never), len(people) // 10))
    recorded = set(rng.sample(people, 3))  # a field few record: pages offer it for everyone all the same
    for i, folder in enumerate(folders):
        roster = _csv(folder / "roster.csv")
        roster.loc[~roster["Client ID"].isin(recorded), ["Referral Source", "Primary Diagnosis"]] = ""
        diagnoses = _csv(folder / "diagnoses.csv")  # half have no ICD-10 codes: measures read the groups
        _write(diagnoses[diagnoses["MRN"].isin(people[::2])], folder / "diagnoses.csv")
        keep = ~roster["Client ID"].isin(never | late) | (roster["Client ID"].isin(late) & (i == len(folders) - 1))
        if i == len(folders) - 1:
            held = pd.concat([_csv(f / "roster.csv") for f in folders[:-1]])
            roster = pd.concat([roster, held[held["Client ID"].isin(late)]])
            keep = ~roster["Client ID"].isin(never)
        _write(roster[keep], folder / "roster.csv")
    for i in range(1, len(folders)):
        here = folders[i]
        attendance = _csv(here / "attendance.csv")
        if i + 1 < len(folders) and len(attendance):  # late arrivals: a day's rows sent with the next day's
            late = attendance.sample(frac=0.2, random_state=rng.randint(0, 9999))
            nxt = _csv(folders[i + 1] / "attendance.csv")
            _write(pd.concat([nxt, late]), folders[i + 1] / "attendance.csv")
            attendance = attendance.drop(late.index)
        earlier = pd.concat([_csv(f / "attendance.csv") for f in folders[:i]])
        fixed = earlier.sample(n=min(4, len(earlier)), random_state=rng.randint(0, 9999)).copy()
        fixed["status"] = [rng.choice(["no show", "cancelled", "attended", "excused"]) for _ in range(len(fixed))]
        _write(pd.concat([attendance, fixed]), here / "attendance.csv")
        measures = _csv(here / "measures.csv")
        scores = pd.concat([_csv(f / "measures.csv") for f in folders[:i]])
        scores = scores[scores["item_1"].str.fullmatch(r"\d") & scores["total"].str.fullmatch(r"\d+")]
        rescored = scores.sample(n=min(3, len(scores)), random_state=rng.randint(0, 9999)).copy()
        up = rescored["item_1"].astype(int) < 3
        rescored["item_1"] = (rescored["item_1"].astype(int) + up.map({True: 1, False: -1})).astype(str)
        rescored["total"] = (rescored["total"].astype(int) + up.map({True: 1, False: -1})).astype(str)
        _write(pd.concat([measures, rescored]), here / "measures.csv")
        roster = _csv(here / "roster.csv")
        admitted = _csv(folders[i - 1] / "roster.csv")
        admitted = admitted[admitted["Discharge Date"] != ""]
        if len(admitted):
            renamed = admitted.sample(n=1, random_state=rng.randint(0, 9999)).copy()
            renamed["Discharge Reason"] = rng.choice(["Completed treatment", "Left against advice", "Transferred"])
            _write(pd.concat([roster, renamed]), here / "roster.csv")
    return folders


def _tables(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [name]
        ).fetchall()
    ]


def _differences(con, table: str, where: str = "true") -> tuple[int, int]:
    skip = OWN_TIME.get(table, [])
    columns = [c for (c, *_) in con.execute(f"DESCRIBE got.{table}").fetchall() if c not in skip]
    select = ", ".join(f'"{c}"' for c in columns)
    got = f"SELECT {select} FROM got.{table} WHERE {where}"
    want = f"SELECT {select} FROM want.{table} WHERE {where}"
    return (
        con.execute(f"SELECT count(*) FROM ({got} EXCEPT ALL {want})").fetchone()[0],
        con.execute(f"SELECT count(*) FROM ({want} EXCEPT ALL {got})").fetchone()[0],
    )


def _affected(con, new_loads: list[int]) -> str:
    """The participants a load must rebuild, worked out here from the rows themselves: those with a
    row the load wrote or replaced, and those whose inferred episode the new data date ends."""
    ids = ",".join(map(str, new_loads)) or "NULL"
    parts = []
    for table in ("sessions", "assessments", "roster_admissions", "authorizations", "diagnoses"):
        parts.append(f"SELECT participant_id FROM got.{table} WHERE load_id IN ({ids})")
        parts.append(f"SELECT participant_id FROM got.{table}_history WHERE replaced_by_load IN ({ids})")
    parts.append("""SELECT participant_id FROM before.episodes WHERE inferred
                    AND ((SELECT data_as_of FROM before.dataset_info) - last_attended > 30)
                        <> ((SELECT data_as_of FROM got.dataset_info) - last_attended > 30)""")
    return " UNION ".join(parts)


def _belongs(con, table: str) -> str:
    columns = {c for (c, *_) in con.execute(f"DESCRIBE got.{table}").fetchall()}
    if "participant_id" in columns:
        return "participant_id IN (SELECT participant_id FROM affected)"
    if "episode_id" in columns:  # the test's ids hold no '#': an episode id is participant '#' admission
        return "split_part(episode_id, '#', 1) IN (SELECT participant_id FROM affected)"
    return """assessment_id IN (SELECT assessment_id FROM want.assessments
                                WHERE participant_id IN (SELECT participant_id FROM affected))"""


# marts the first step rebuilds whole, or for the days it wrote sessions on: right at once
WHOLE_AT_ONCE = [t for path, scope in marts.files() if scope == "day" for t in scoped.tables_made(path.read_text())]
PARTICIPANT_MARTS = [
    t for path, scope in marts.files() if scope == "participant" for t in scoped.tables_made(path.read_text())
]


@pytest.mark.parametrize("seed", range(SEQUENCES))
def test_daily_loads_rebuild_what_they_touch_and_equal_a_full_rebuild(seed, tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_WHOLE_HISTORY", "later")  # the second step run here, after the first is checked
    # a few dozen participants: a day touches more than the 20 % beyond which a load rebuilds everyone
    settings = tmp_path / "program.toml"
    settings.write_text("[loader]\nincremental_max_share = 1.0\n")
    monkeypatch.setenv("IOP_SETTINGS", str(settings))
    folders = _sequence(seed, tmp_path)
    db, before, want = tmp_path / "got.duckdb", tmp_path / "before.duckdb", tmp_path / "want.duckdb"
    incremental, compared = 0, set()
    for step, folder in enumerate(folders):
        if db.exists():
            shutil.copyfile(db, before)
        results = load([str(folder)], db, today=END + dt.timedelta(days=1), progress=False)
        assert all(r.status != "failed" for r in results), [r.message for r in results]
        shutil.copyfile(db, want)
        rebuild(want)
        con = duckdb.connect()
        con.execute(f"ATTACH '{db}' AS got (READ_ONLY)")
        con.execute(f"ATTACH '{want}' AS want (READ_ONLY)")
        [(built_for, pending)] = con.execute(
            "SELECT built_for, history_pending_since IS NOT NULL FROM got.build_state"
        ).fetchall()
        if step == 0:
            assert (built_for, pending) == ("everyone", False)
        else:
            assert built_for == "participants" and pending, f"step {step}: a day's load rebuilds its participants"
            incremental += 1
            con.execute(f"ATTACH '{before}' AS before (READ_ONLY)")
            new_loads = [r.load_id for r in results if r.load_id is not None and r.status != "unchanged"]
            con.execute(f"CREATE TEMP TABLE affected AS {_affected(con, new_loads)}")
            # first step: every participant's episodes and every row's episode; the participant marts
            # of those affected (with the ranges the marts read, when those stayed the same)
            for table in ("episodes", "participants", "sessions", "assessments", "dataset_info", *WHOLE_AT_ONCE):
                assert _differences(con, table) == (0, 0), f"step {step}, first step: {table}"
            same_ranges = _differences(con, "expected_recovery") == (0, 0)
            for table in PARTICIPANT_MARTS:
                if table in READ_RANGES and not same_ranges:
                    continue
                assert _differences(con, table, _belongs(con, table)) == (0, 0), f"step {step}, first step: {table}"
                compared.add(table)
            con.close()
            assert refresh(db)
            con = duckdb.connect()
            con.execute(f"ATTACH '{db}' AS got (READ_ONLY)")
            con.execute(f"ATTACH '{want}' AS want (READ_ONLY)")
        tables = _tables(con, "want")
        assert tables == _tables(con, "got")
        for table in tables:
            if OWN_TIME.get(table, []) is not None:
                assert _differences(con, table) == (0, 0), f"step {step}: {table} differs from a full rebuild"
        con.close()
    assert incremental == len(folders) - 1 >= 3
    assert set(PARTICIPANT_MARTS) - READ_RANGES <= compared


def test_pages_say_the_second_step_is_still_to_come_until_it_is_done(tmp_path, monkeypatch):
    from conftest import app

    monkeypatch.setenv("IOP_WHOLE_HISTORY", "later")
    write_demo(tmp_path / "demo", participants=60, seed=3)
    base, day = split_days(tmp_path / "demo", tmp_path / "days", [END - dt.timedelta(days=3), END])
    db = tmp_path / "iop.duckdb"
    monkeypatch.setenv("IOP_DB", str(db))
    for folder in (base, day):
        assert all(r.status != "failed" for r in load([str(folder)], db, today=END, progress=False))

    def captions(page: str) -> list[str]:
        at = app("director")
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return [c.value for c in at.caption] + [w.value for w in at.warning]

    with duckdb.connect(str(db), read_only=True) as con:
        [since] = con.execute("SELECT history_pending_since FROM build_state").fetchone()
    shown = captions("pages/caseload.py")
    assert any(f"Updating** since {since:%H:%M} UTC" in c and "Reload to see them" in c for c in shown), shown
    with working_copy(db) as con:  # as if the second step had died 20 minutes ago (swapped in as a load is)
        con.execute("UPDATE build_state SET history_pending_since = history_pending_since - INTERVAL 20 MINUTE")
    shown = captions("pages/overview.py")
    assert any("The latest load is not finished** (20 minutes since" in c and "etl refresh" in c for c in shown), shown
    assert refresh(db)
    shown = captions("pages/caseload.py")
    assert not any("Updating" in c or "not finished" in c for c in shown), shown
    assert not refresh(db)  # nothing left to do


def test_a_days_load_starts_the_second_step_in_the_background(tmp_path, monkeypatch):
    import time

    from conftest import etl_cli

    write_demo(tmp_path / "demo", participants=40, seed=5)
    base, day = split_days(tmp_path / "demo", tmp_path / "days", [END - dt.timedelta(days=2), END])
    db = tmp_path / "iop.duckdb"
    assert etl_cli("load", base, "--db", db, "--today", END).returncode == 0
    loaded = etl_cli("load", day, "--db", db, "--today", END, env={"IOP_WHOLE_HISTORY": "background"})
    assert loaded.returncode == 0, loaded.stderr

    def state():
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT built_for, history_pending_since IS NULL FROM build_state").fetchone()

    waited = 0.0
    while state() != ("participants", True) and waited < 120:  # the loaded machine of CI: generous
        time.sleep(0.5)
        waited += 0.5
    assert state() == ("participants", True)
    done = etl_cli("refresh", "--db", db)
    assert done.returncode == 0 and done.stdout.strip().endswith("nothing to do")
    status = etl_cli("status", "--db", db).stdout.splitlines()[-1]
    assert status.startswith("last build: ") and " participants, " in status and status.endswith("; complete"), status
