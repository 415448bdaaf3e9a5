"""The measures' diagnosis value sets ship with the code and cannot change without a new version:
each file's digest is pinned here with the version it states. Editing a file's codes (or anything in
it) fails this test until its version says what changed and the new digest is pinned beside it."""

import hashlib

import pytest

PINNED = {  # id -> (version, sha256 of the file)
    "bipolar": (
        "ICD-10-CM F30 (manic episode) and F31 (bipolar disorder), pinned 2026-12",
        "71c6551aee9a43eba6094846b20d5b856e844a282388d084be4dc156799d50bf",
    ),
    "depression": (
        "As summarised in [29]: F32.0-F32.5, F32.9, F32.A (major depressive episodes; not F32.81, F32.89), F33.x, F34.1; pinned 2026-12",
        "ceeb69163973b7e623994b4990f8ad089eb9bad092909ccd66f332a778473178",
    ),
    "palliative": (
        "ICD-10-CM Z51.5 (encounter for palliative care), pinned 2026-12; hospice enrolment is not in the exports",
        "8b95073a5ee18b2955c102744ba31d519e3638fbba1dd2aae2f4bba25b316c44",
    ),
    "personality-emotionally-labile": (
        "ICD-10-CM F60.3 (borderline personality disorder), pinned 2026-12",
        "74ff1ecb0966fe7d97903e50f698798ab99e1cd956c42cef956fb736a982c2fa",
    ),
    "personality": (
        "ICD-10-CM F60 (specific personality disorders), pinned 2026-12",
        "e9f22b996a34e6714f7aa8703e29f7d3d0174df9f5c3bff9a4e3facf15d1e76b",
    ),
    "pervasive-developmental": (
        "ICD-10-CM F84 (pervasive developmental disorders), pinned 2026-12",
        "88332ed1b4dd1e4e563f822eea0ec9a8dc393b20ff6379a34f2e26d164b4dae7",
    ),
    "psychotic": (
        "ICD-10-CM F20-F29 (schizophrenia, schizotypal, delusional and other non-mood psychotic disorders), pinned 2026-12",
        "4f51411c4a87dddaaa445a1faf186b43e9c59d8f74894a40c57964fed280c8f6",
    ),
    "substance-use": (
        "ICD-10-CM F10-F16, F18, F19, pinned 2026-12",
        "99aabe2ef2ad0a4e2032f53cb620cb886c9e643057355887bf1070303fef20d7",
    ),
}


def test_every_value_set_is_pinned_to_its_version():
    from clinical.value_sets import FOLDER, load_value_sets

    sets = load_value_sets()
    assert set(sets) == set(PINNED)
    for vs in sets.values():
        version, digest = PINNED[vs.id]
        assert vs.version == version, f"{vs.file}: a new version: pin its digest here"
        assert hashlib.sha256((FOLDER / vs.file).read_bytes()).hexdigest() == digest, (
            f"{vs.file} changed without a new version"
        )


def test_codes_are_prefixes_without_dots(tmp_path):
    from clinical.value_sets import ValueSetError, load_value_sets

    sets = load_value_sets()
    assert sets["depression"].prefixes[-3:] == ("F32A", "F33", "F341") and "F32" not in sets["depression"].prefixes
    assert sets["substance-use"].prefixes[-2:] == ("F18", "F19") and "F17" not in sets["substance-use"].prefixes
    (tmp_path / "bad.toml").write_text(
        'id = "bad"\nname = "x"\nspecification = "x"\nversion = "x"\nsources = "x"\ncodes = ["296.32"]\n'
    )
    with pytest.raises(ValueSetError, match="bad.toml: codes must be ICD-10 codes"):
        load_value_sets(tmp_path)


def test_a_measure_naming_a_missing_value_set_is_refused(tmp_path):
    from clinical.measure_specs import FOLDER, SpecError, load_specs

    text = (FOLDER / "dep-rem-6.toml").read_text().replace('"bipolar"', '"bipolr"')
    (tmp_path / "dep-rem-6.toml").write_text(text)
    with pytest.raises(SpecError, match="value set 'bipolr' is not in"):
        load_specs(tmp_path)
