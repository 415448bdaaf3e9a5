"""FHIR R4/STU3 QuestionnaireResponse, Observation (total, panel) and Patient into assessments."""

import json
import shutil

from conftest import ROOT, load_files, rows, write

US_CORE = ROOT / "tests" / "fixtures" / "fhir" / "us-core"
AHRQ = ROOT / "tests" / "fixtures" / "fhir" / "ahrq-depression-patient-phq9.STU3.bundle.json"
PHQ9 = "SELECT participant_id, instrument, CAST(assessed_on AS VARCHAR), total_score, items_answered FROM assessments"


def test_us_core_phq9_questionnaire_response_totals_12(db):
    [result] = load_files(db, US_CORE / "QuestionnaireResponse-phq-9-example.json")
    assert result.counts == {"read": 1, "loaded": 1, "updated": 0, "rejected": 0, "duplicate": 0}
    assert rows(db, PHQ9) == [("example", "PHQ-9", "2022-11-29", 12, 9)]
    assert rows(db, "SELECT item_sum, total_mismatch FROM assessments") == [(12, False)]


def test_us_core_phq9_total_observation_with_a_string_value_totals_12(db):
    load_files(db, US_CORE / "Observation-PHQ9-item-example-44261-6.json")
    assert rows(db, PHQ9) == [("example", "PHQ-9", "2022-11-29", 12, 0)]


def test_us_core_phq9_panel_with_its_member_observations_totals_12(tmp_path, db):
    folder = tmp_path / "panel"
    folder.mkdir()
    for f in US_CORE.glob("Observation-PHQ9-*.json"):
        shutil.copy(f, folder)
    shutil.copy(US_CORE / "Observation-PHQ9-item-example-44261-6.json", folder)
    results = load_files(db, folder)
    panel = next(r for r in results if "panel" in r.path.name)
    assert panel.counts["read"] == 1 and panel.status == "loaded"
    assert rows(db, PHQ9) == [("example", "PHQ-9", "2022-11-29", 12, 9)]
    # items read through the panel; the difficulty question 69722-7 is asked but not scored
    assert rows(db, "SELECT list(value ORDER BY item_number) FROM assessment_items") == [([2, 2, 2, 2, 1, 1, 2, 0, 0],)]


def test_all_three_shapes_together_make_one_administration(db):
    load_files(db, US_CORE)
    assert rows(db, "SELECT instrument, total_score, items_answered FROM assessments ORDER BY 1") == [
        ("AUDIT-C", 0, 3),
        ("PHQ-9", 12, 9),
    ]
    assert rows(db, "SELECT count(*) FROM rejects") == [(0,)]


def test_ahrq_stu3_bundle_loads_valid_responses_and_rejects_totals_above_27(db):
    [result] = load_files(db, AHRQ)
    assert result.counts == {"read": 45, "loaded": 40, "updated": 0, "rejected": 5, "duplicate": 0}
    assert sorted(r for (r,) in rows(db, "SELECT reason FROM rejects")) == sorted(
        f"PHQ-9 total {t} is above the maximum 27" for t in rows_totals_above_27()
    )
    # participants are the Patients' identifiers, including the one referenced in another id scheme
    ids = {p for (p,) in rows(db, "SELECT DISTINCT participant_id FROM assessments")}
    assert "TEST-4" in ids and all(i.startswith("TEST-") for i in ids)
    # every answer is coded LA6568-5 ("0"); the ordinal extension wins and each disagreement is noted
    [(notes,)] = rows(db, "SELECT count(*) FROM load_notes")
    assert notes > 0
    assert rows(db, "SELECT note FROM load_notes ORDER BY row_number, note LIMIT 1") == [
        ("PHQ-9 item 1: answer code LA6568-5 means 0 but its ordinal value is 3; the ordinal value was used",)
    ]
    # some supplied totals differ from their item sums: kept, marked
    assert rows(db, "SELECT count(*) > 0 FROM assessments WHERE total_mismatch") == [(True,)]


def rows_totals_above_27():
    bundle = json.loads(AHRQ.read_text())
    totals = []
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] == "QuestionnaireResponse":
            totals += [
                i["answer"][0]["valueInteger"]
                for i in r["item"]
                if "44261-6" in i.get("definition", "") and i["answer"][0]["valueInteger"] > 27
            ]
    return totals


def _observation(code, display, value, subject="Patient/p1"):
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": {"reference": subject},
        "effectiveDateTime": "2025-03-03T10:00:00Z",
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
        **value,
    }


def test_unknown_loinc_code_is_reported_not_guessed(tmp_path, db):
    f = write(
        tmp_path, "height.json", json.dumps(_observation("8302-2", "Body Height", {"valueQuantity": {"value": 180}}))
    )
    [result] = load_files(db, f)
    assert result.counts["rejected"] == 1
    assert rows(db, "SELECT row_number, reason FROM rejects") == [
        (1, "LOINC code 8302-2 (Body Height) is not an instrument in the catalogue")
    ]


def test_gad7_total_as_value_quantity(tmp_path, db):
    f = write(
        tmp_path, "gad.json", json.dumps(_observation("70274-6", "GAD-7 total", {"valueQuantity": {"value": 9.0}}))
    )
    load_files(db, f)
    assert rows(db, PHQ9) == [("p1", "GAD-7", "2025-03-03", 9, 0)]


def test_subject_that_resolves_to_nothing_is_rejected(tmp_path, db):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": _observation("44261-6", "PHQ-9 total", {"valueInteger": 5}, subject="urn:uuid:123")}],
    }
    [result] = load_files(db, write(tmp_path, "b.json", json.dumps(bundle)))
    assert rows(db, "SELECT reason FROM rejects") == [("subject urn:uuid:123 is not a Patient in the file(s) loaded",)]


def test_stu3_panel_with_related_has_member(tmp_path, db):
    item = _observation(
        "44260-8", "item 9", {"valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA6569-3"}]}}
    )
    item["id"] = "i9"
    total = _observation("44261-6", "total", {"valueInteger": 7})
    total["id"] = "t"
    panel = _observation("44249-1", "PHQ-9 panel", {})
    panel["related"] = [
        {"type": "has-member", "target": {"reference": "Observation/i9"}},
        {"type": "has-member", "target": {"reference": "Observation/t"}},
    ]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in (panel, item, total)]}
    [result] = load_files(db, write(tmp_path, "stu3.json", json.dumps(bundle)))
    assert result.counts == {"read": 1, "loaded": 1, "updated": 0, "rejected": 0, "duplicate": 0}
    assert rows(db, "SELECT total_score, items_answered, total_valid FROM assessments") == [(7, 1, False)]
    assert rows(db, "SELECT item_number, value FROM assessment_items") == [(9, 1)]


def test_not_fhir_json_is_refused(tmp_path, db):
    [result] = load_files(db, write(tmp_path, "x.json", '{"hello": 1}'))
    assert result.status == "failed"
    assert result.message == "x.json: is JSON but not a FHIR resource or Bundle (no resourceType)"
