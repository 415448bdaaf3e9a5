"""Several sites: the site an export gives on roster and attendance rows becomes each episode's site
(the roster's, else where most of its sessions were); cohorts, the overview and quality measures
group by it; a director can be limited to some sites, and then every page counts theirs only; the
quality role's release is suppressed across the site grouping too."""

import pytest

from conftest import ATTENDANCE_HEADER, account, app, load_files, rows, write
from dashboard.access import accounts
from dashboard.commands import accounts_cli
from dashboard.store import audit, db

ROSTER = (
    "participant_id,admit_date,discharge_date,program,primary_clinician,location\n"
    "P1,2025-03-03,,Trauma,Chen,Northside\n"
    "P2,2025-03-03,,Trauma,Rivera,\n"  # no site on the roster: where most sessions were
    "P3,2025-03-03,,Trauma,Rivera,Riverside\n"
)
ATTENDANCE = (
    ATTENDANCE_HEADER.rstrip("\n")
    + ",site\n"
    + (
        "P1,2025-03-03,group,attended,180,Trauma,Chen,Riverside\n"  # the roster's site wins
        "P2,2025-03-03,group,attended,180,Trauma,Rivera,Riverside\n"
        "P2,2025-03-04,group,attended,180,Trauma,Rivera,Northside\n"
        "P2,2025-03-05,group,attended,180,Trauma,Rivera,Northside\n"
        "P4,2025-03-03,group,attended,180,Trauma,Rivera,Riverside\n"  # never on the roster: inferred
        "P4,2025-03-04,group,attended,180,Trauma,Rivera,Northside\n"  # a tie: the first by name
        "P5,2025-03-03,group,attended,180,Trauma,Rivera,\n"  # no site anywhere
    )
)


@pytest.fixture
def two_sites(tmp_path, db, monkeypatch):
    load_files(db, write(tmp_path, "roster.csv", ROSTER), write(tmp_path, "attendance.csv", ATTENDANCE))
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_each_episode_gets_the_rosters_site_else_where_most_of_its_sessions_were(two_sites):
    assert rows(two_sites, "SELECT participant_id, site FROM episodes ORDER BY 1") == [
        ("P1", "Northside"),
        ("P2", "Northside"),
        ("P3", "Riverside"),
        ("P4", "Northside"),
        ("P5", None),
    ]
    assert rows(two_sites, "SELECT count(*) FILTER (site IS NOT NULL) FROM sessions")[0][0] == 6
    assert rows(two_sites, "SELECT value, count(*) FROM episode_groups WHERE field = 'site' GROUP BY 1 ORDER BY 1") == [
        ("Northside", 3),
        ("Riverside", 1),
        ("not recorded", 1),
    ]
    # each site runs its own groups: one group a day per site, not one group of both sites' people
    assert rows(
        two_sites, "SELECT group_label, members FROM group_sizes WHERE session_date = '2025-03-03' ORDER BY 1"
    ) == [
        ("Trauma group", 1),  # P5's: no site
        ("Trauma group · Riverside", 3),
    ]


def test_a_site_given_later_updates_the_rows_and_a_file_without_sites_leaves_them(tmp_path, two_sites):
    plain = ROSTER.replace(",location", "").replace(",Northside", "").replace(",Riverside", "").replace(",\n", "\n")
    results = load_files(two_sites, write(tmp_path, "roster2.csv", plain))
    assert (results[0].counts["updated"], results[0].counts["duplicate"]) == (2, 1)  # the two with a site change
    assert rows(
        two_sites, "SELECT participant_id, site FROM episodes WHERE participant_id IN ('P1','P3') ORDER BY 1"
    ) == [
        ("P1", "Riverside"),  # the roster names none now: its sessions' site
        ("P3", None),
    ]


def test_a_director_limited_to_a_site_sees_that_sites_episodes_only(two_sites):
    north = db.ReadScope(sites=("Northside",))
    with db.scoped(north):
        con = db._connect()[0]
        try:
            episodes = con.execute("SELECT participant_id FROM visible_episodes ORDER BY 1").fetchall()
            sessions = con.execute("SELECT DISTINCT participant_id FROM visible_sessions ORDER BY 1").fetchall()
            people = con.execute("SELECT participant_id FROM visible_participants ORDER BY 1").fetchall()
            rejects = con.execute("SELECT count(*) FROM visible_rejects").fetchone()[0]
        finally:
            con.close()
    assert episodes == sessions == people == [("P1",), ("P2",), ("P4",)]
    assert rejects == 0  # rejected rows are identified and of no site: the whole organisation's only
    both = db.ReadScope(sites=("Northside", "Riverside"))
    with db.scoped(both):
        con = db._connect()[0]
        try:
            assert con.execute("SELECT count(*) FROM visible_episodes").fetchone()[0] == 4  # P5 has no site
        finally:
            con.close()


def test_accounts_keep_a_directors_sites_and_refuse_them_for_other_roles(capsys):
    setup = accounts.Actor("test", None)
    accounts.add("north@example.org", "director", setup, "North", None, "a long enough passphrase", sites=["Northside"])
    me = accounts.identity_of("north@example.org", "password")
    assert me.sites == me.scope_sites == ("Northside",)
    with pytest.raises(accounts.AccountError, match="only a director's account is limited to sites"):
        accounts.add("c@example.org", "clinician", setup, "C", "Chen", "a long enough passphrase", sites=["Northside"])
    assert accounts_cli.main(["sites", "north@example.org", "--site", "Riverside", "--site", "Northside"]) == 0
    assert accounts.identity_of("north@example.org", "password").sites == ("Northside", "Riverside")
    assert accounts_cli.main(["sites", "north@example.org", "--all"]) == 0
    assert accounts.identity_of("north@example.org", "password").sites is None
    accounts.change("north@example.org", setup, sites=["Northside"])
    accounts.change("north@example.org", setup, role="quality")  # another role: every site (suppressed)
    assert accounts.identity_of("north@example.org", "password").scope_sites is None
    listed = accounts.listing().set_index("user_name")
    assert listed.loc["north@example.org", "sites"] is None
    assert "now sees every site" in capsys.readouterr().out


def test_a_site_directors_pages_count_their_site_and_agree_with_the_whole_directors_by_site(demo_db, monkeypatch):
    """One selection read two ways: a Northside director's overview, and the whole organisation's
    director's overview narrowed to the population "site: Northside", give the same figures."""
    monkeypatch.setenv("IOP_DB", str(demo_db))
    [(north_open, all_open)] = rows(
        demo_db, "SELECT count(*) FILTER (site = 'Northside' AND is_open), count(*) FILTER (is_open) FROM episodes"
    )
    assert 0 < north_open < all_open
    account("director", "north@example.org")
    accounts.change("north@example.org", accounts.Actor("test", None), sites=["Northside"])
    north = app("director", "north@example.org")
    north.switch_page("pages/overview.py").run()
    assert not north.exception, north.exception
    assert any("**Northside** only" in c.value for c in north.caption)
    whole = app("director", "whole@example.org")
    whole.query_params["population"] = "site: Northside"
    whole.switch_page("pages/overview.py").run()
    assert not whole.exception, whole.exception
    assert not any("only: your account sees" in c.value for c in whole.caption)
    north_metrics = {m.label: m.value for m in north.metric}
    assert len(north_metrics) >= 4 and north_metrics == {m.label: m.value for m in whole.metric}
    caseload = north.switch_page("pages/caseload.py").run()
    assert not caseload.exception, caseload.exception
    assert any(f"**{north_open:,}** open episodes" in m.value for m in caseload.markdown)


def test_the_quality_release_goes_by_site_and_the_auditor_covers_it(demo_db, monkeypatch):
    from dashboard.privacy.release import quarter_release, quarters
    from dashboard.views.filters import instrument_choices, options, primary_instrument

    monkeypatch.setenv("IOP_DB", str(demo_db))
    with db.scoped(db.EVERYTHING):
        opts = options()
        assert "site" in opts.group_fields
        quarter = quarters(opts.first_admission, opts.data_as_of)[0]
        release = quarter_release(quarter, tuple(instrument_choices(opts)), primary_instrument(opts), 11)
    assert {d for d, _ in release.cohorts} == {"month", "track", "clinician", "age group", "site"}
    assert "site" in release.measures
    assert release.verdict.exposed == 0 and release.verdict.small > 0


def test_a_shared_link_to_another_sites_participant_shows_nothing_and_audits_no_view(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    [(riverside,)] = rows(
        demo_db,
        "SELECT participant_id FROM episodes GROUP BY 1 HAVING bool_and(site = 'Riverside') ORDER BY 1 LIMIT 1",
    )
    [(northside,)] = rows(
        demo_db,
        "SELECT participant_id FROM episodes GROUP BY 1 HAVING bool_and(site = 'Northside') ORDER BY 1 LIMIT 1",
    )
    account("director", "north@example.org")
    accounts.change("north@example.org", accounts.Actor("test", None), sites=["Northside"])
    for pid, shown in ((riverside, False), (northside, True)):
        at = app("director", "north@example.org")
        at.query_params["participant"] = pid
        at.switch_page("pages/participant.py").run()
        assert not at.exception, at.exception
        refused = [w.value.replace("\\", "") for w in at.warning if w.value.startswith("No participant")]
        assert refused == ([] if shown else [f"No participant {pid} in your sites."])
        page = " ".join(m.value for m in at.markdown).replace("\\", "")
        assert (pid in page) == shown
    log = audit.entries()
    viewed = log[log["event"] == "view_participant"]["participant_id"].tolist()
    assert viewed == [northside]
