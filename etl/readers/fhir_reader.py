"""FHIR R4 and STU3 JSON (a Bundle, a single resource, or a folder of them) -> measures rows.

- QuestionnaireResponse: items matched to catalogue items by LOINC code (in linkId, definition or
  code); answers from the ordinal-value extension, else the catalogue's LOINC answer codes, else a
  number. When the extension and the code disagree, the extension wins and a note says so.
- Observation: a total (44261-6 PHQ-9, 70274-6 GAD-7, 75626-2 AUDIT-C …) from valueInteger,
  valueQuantity, valueDecimal or valueString; a panel (44249-1, 72109-2 …) with its items from
  hasMember (R4) or related has-member (STU3). Item Observations are read through their panel.
- Patient: resolves subject references; the participant id is the Patient's first identifier
  (else its id). Unknown LOINC codes and unresolvable subjects are rejected with a reason, never
  guessed. Each QuestionnaireResponse or Observation that is not read through a panel is a row;
  its row number is its position in the file (1 = the first resource)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from clinical.catalogue import Instrument

LOINC = re.compile(r"\d{3,6}-\d")
ORDINAL_URLS = ("iso21090-CO-value", "ordinalValue", "itemWeight")
HEADER_FIXED = ["participant_id", "assessment_date", "instrument", "total"]


@dataclass
class Record:
    row_number: int
    resource: dict
    participant_id: str | None = None
    date: str | None = None
    instrument: str | None = None
    total: str | None = None
    items: dict[int, str] = field(default_factory=dict)
    problem: str | None = None

    def put(self, role: str, number: int | None, answered: tuple[str | None, str | None]) -> None:
        """Keep an answer as the total or an item; the first problem wins."""
        value, problem = answered
        if problem:
            self.problem = self.problem or problem
        elif role == "total":
            self.total = value
        else:
            self.items[number] = value


def _where(instrument: str, role: str, number: int | None) -> str:
    return f"{instrument} {'total' if role == 'total' else f'item {number}'}"


def resources(data: dict) -> list[tuple[str | None, dict]]:
    if data.get("resourceType") == "Bundle":
        return [(e.get("fullUrl"), e["resource"]) for e in data.get("entry", []) if "resource" in e]
    return [(None, data)]


class Index:
    """Every resource of the files in one load, by 'Type/id' and by fullUrl, for references."""

    def __init__(self, documents: list[dict]):
        self.by_key: dict[str, dict] = {}
        self.members: set[str] = set()
        for data in documents:
            for full_url, r in resources(data):
                for key in (f"{r.get('resourceType')}/{r.get('id')}", full_url):
                    if key:
                        self.by_key[key] = r
                for ref in _member_refs(r):
                    self.members.add(ref)

    def get(self, reference: str | None) -> dict | None:
        return self.by_key.get(reference or "")

    def is_member(self, r: dict) -> bool:
        return f"{r.get('resourceType')}/{r.get('id')}" in self.members


def _member_refs(r: dict) -> list[str]:
    refs = [m.get("reference") for m in r.get("hasMember", [])]
    refs += [rel.get("target", {}).get("reference") for rel in r.get("related", []) if rel.get("type") == "has-member"]
    return [ref for ref in refs if ref]


class Codes:
    """LOINC code -> (instrument, role, item number) from the catalogue."""

    def __init__(self, catalogue: dict[str, Instrument]):
        self.catalogue = catalogue
        self.codes: dict[str, tuple[str, str, int | None]] = {}
        for i in catalogue.values():
            for code, role in ((i.loinc_total, "total"), (i.loinc_panel, "panel")):
                if code:
                    self.codes[code] = (i.code, role, None)
            for number, code in i.loinc_items.items():
                self.codes[code] = (i.code, "item", number)
            for code in i.loinc_unscored:
                self.codes[code] = (i.code, "unscored", None)

    def of(self, *texts) -> list[str]:
        return [c for t in texts if t for c in LOINC.findall(str(t))]


def _codings(concept: dict | None) -> list[dict]:
    return (concept or {}).get("coding", [])


def _number(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _answer(answer: dict, instrument: Instrument, where: str, notes: list[str]) -> tuple[str | None, str | None]:
    """(value, problem) of one answer: ordinal extension first, then the LOINC answer code, then a number."""
    for key in ("valueInteger", "valueDecimal", "valueString"):
        if key in answer:
            return _number(answer[key]), None
    if "valueQuantity" in answer:
        return _number(answer["valueQuantity"].get("value")), None
    coding = answer.get("valueCoding") or next(iter(_codings(answer.get("valueCodeableConcept"))), None)
    if coding is None:
        return None, f"{where} has no answer value"
    ordinal = next(
        (
            e.get("valueDecimal", e.get("valueInteger"))
            for e in coding.get("extension", [])
            if any(u in e.get("url", "") for u in ORDINAL_URLS)
        ),
        None,
    )
    coded = instrument.answer_codes.get(coding.get("code"))
    if ordinal is not None:
        if coded is not None and coded != ordinal:
            notes.append(
                f"{where}: answer code {coding.get('code')} means {coded} but its ordinal value is "
                f"{_number(ordinal)}; the ordinal value was used"
            )
        return _number(ordinal), None
    if coded is not None:
        return str(coded), None
    return (
        None,
        f"{where}: answer code {coding.get('code')} is not known for {instrument.code} (add it to the catalogue's answer_codes)",
    )


def _participant(subject: dict | None, index: Index) -> tuple[str | None, str | None]:
    reference = (subject or {}).get("reference")
    if not reference:
        return None, "the resource has no subject"
    patient = index.get(reference)
    if patient and patient.get("resourceType") == "Patient":
        identifiers = [i.get("value") for i in patient.get("identifier", []) if i.get("value")]
        return (identifiers[0] if identifiers else patient.get("id")), None
    if reference.startswith("Patient/"):
        return reference.split("/", 1)[1], None
    return None, f"subject {reference} is not a Patient in the file(s) loaded"


def _date(r: dict) -> str | None:
    for value in (
        r.get("authored"),
        r.get("effectiveDateTime"),
        (r.get("effectivePeriod") or {}).get("start"),
        r.get("effectiveInstant"),
        r.get("issued"),
    ):
        if value:
            return str(value)[:10]
    return None


def _questionnaire_response(r: dict, number: int, index: Index, codes: Codes, notes: list[str]) -> Record:
    record = Record(number, r, date=_date(r))
    record.participant_id, record.problem = _participant(r.get("subject"), index)
    flat, stack = [], list(r.get("item", []))
    while stack:
        item = stack.pop(0)
        stack[:0] = item.get("item", [])
        if item.get("answer"):
            flat.append(item)
    found = []
    for item in flat:
        known = [
            codes.codes[c]
            for c in codes.of(
                item.get("linkId"), item.get("definition"), *[c.get("code") for c in item.get("code", [])]
            )
            if c in codes.codes
        ]
        if known:
            found.append((item, known[0]))
    instruments = {k[0] for _, k in found if k[1] in ("item", "total")}
    if len(instruments) != 1:
        record.problem = record.problem or (
            "no answer carries the LOINC code of a catalogue instrument"
            if not instruments
            else f"answers of several instruments in one response ({', '.join(sorted(instruments))})"
        )
        return record
    record.instrument = instruments.pop()
    instrument = codes.catalogue[record.instrument]
    for item, (_, role, n) in found:
        if role not in ("item", "total"):
            continue
        record.put(role, n, _answer(item["answer"][0], instrument, _where(record.instrument, role, n), notes))
    return record


def _observation_value(r: dict, instrument: Instrument, where: str, notes: list[str]) -> tuple[str | None, str | None]:
    answer = {k: v for k, v in r.items() if k.startswith("value")}
    if not answer:
        return None, f"{where} has no value"
    return _answer(answer, instrument, where, notes)


def _observation(r: dict, number: int, index: Index, codes: Codes, notes: list[str]) -> Record | None:
    loinc = [c.get("code") for c in _codings(r.get("code")) if c.get("code")]
    known = [(c, codes.codes[c]) for c in loinc if c in codes.codes]
    if not known:
        shown = ", ".join(f"{c.get('code')} ({c.get('display', '')})" for c in _codings(r.get("code"))) or "none"
        return Record(number, r, problem=f"LOINC code {shown} is not an instrument in the catalogue")
    code, (name, role, n) = known[0]
    if index.is_member(r):
        return None  # read through its panel
    record = Record(number, r, date=_date(r), instrument=name)
    record.participant_id, record.problem = _participant(r.get("subject"), index)
    instrument = codes.catalogue[name]
    if role == "total":
        record.total, problem = _observation_value(r, instrument, f"{name} total", notes)
        record.problem = record.problem or problem
    elif role == "panel":
        for ref in _member_refs(r):
            member = index.get(ref)
            if member is None:
                record.problem = record.problem or f"panel member {ref} is not in the file(s) loaded"
                continue
            member_code = next(
                (c.get("code") for c in _codings(member.get("code")) if c.get("code") in codes.codes), None
            )
            m_name, m_role, m_n = codes.codes.get(member_code, (None, None, None))
            if m_name != name or m_role not in ("item", "total"):
                continue  # e.g. PHQ-9's difficulty question 69722-7: asked, not scored
            record.put(m_role, m_n, _observation_value(member, instrument, _where(name, m_role, m_n), notes))
    else:
        record.problem = f"{name} {'item ' + str(n) if n else code} on its own: item answers are read through a panel or QuestionnaireResponse"
    return record


def read_fhir(
    data: dict, index: Index, codes: Codes
) -> tuple[list[str], list[list], list[str], list[tuple], list[tuple]]:
    """(header, records, raw JSON per record, rejects, notes) for one file."""
    records, notes_by_row = [], []
    for number, (_, r) in enumerate(resources(data), start=1):
        notes: list[str] = []
        kind = r.get("resourceType")
        if kind == "QuestionnaireResponse":
            record = _questionnaire_response(r, number, index, codes, notes)
        elif kind == "Observation":
            record = _observation(r, number, index, codes, notes)
        else:
            continue  # Patients resolve subjects; other resources carry no scores
        if record is not None:
            records.append(record)
            notes_by_row += [(number, n) for n in notes]
    width = max([max(r.items, default=0) for r in records], default=0)
    header = HEADER_FIXED + [f"item_{i}" for i in range(1, width + 1)]
    rows, raws, rejects = [], [], []
    for r in records:
        raw = json.dumps(r.resource, separators=(",", ":"))
        if r.problem:
            rejects.append((r.row_number, r.problem, raw))
            continue
        rows.append(
            [
                r.row_number,
                r.participant_id,
                r.date,
                r.instrument,
                r.total,
                *[r.items.get(i) for i in range(1, width + 1)],
            ]
        )
        raws.append(raw)
    return header, rows, raws, rejects, notes_by_row
