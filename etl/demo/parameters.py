"""The demo program's parameters: tracks, clinicians, schedules, outcome patterns and their published
sources (docs/clinical.md), the export files' headers, and the small helpers every part uses."""

import datetime
import math

DAY = datetime.timedelta(days=1)
WINDOW_DAYS = 548  # 18 months of admissions before `end`
TRACKS = [("Depression/Anxiety", 0.40), ("Trauma", 0.20), ("Substance Use", 0.25), ("Dual Diagnosis", 0.15)]
TRACK_INDEX = {name: i for i, (name, _) in enumerate(TRACKS)}
ADOLESCENT_TRACKS = {"Depression/Anxiety", "Trauma"}
ADOLESCENT_SHARE_IN_TRACK = 1 / 3  # those tracks hold 60% of people -> ~20% adolescents overall
CLINICIANS = ["Rivera, A.", "Chen, M.", "Okafor, T.", "Lindqvist, S.", "Haddad, R.", "Novak, J."]
PSYCHIATRIST = "Patel, D. (MD)"
# Two sites: each clinician's caseload is at one; an episode's sessions are at its clinician's site
# (group facilitators and the psychiatrist work at both).
SITES = {
    "Rivera, A.": "Northside",
    "Chen, M.": "Northside",
    "Okafor, T.": "Northside",
    "Lindqvist, S.": "Riverside",
    "Haddad, R.": "Riverside",
    "Novak, J.": "Riverside",
}
DAYS_PER_WEEK = [(3, 0.40), (4, 0.25), (5, 0.35)]
# Trajectory patterns and their shares. The patterns follow the literature (Szegedi et al. 2009;
# Stulz et al. 2007; Uher et al. 2011; Gueorguieva et al. 2011; 5-10% deteriorate, clinical-rules.md
# section 3 [24]); the shares are chosen for the demo within the ranges those studies describe,
# before and independently of any alert validation (docs/clinical.md).
OUTCOMES = [("early_responder", 0.45), ("delayed_responder", 0.20), ("non_responder", 0.28), ("deteriorator", 0.07)]
# Dropout is likelier when treatment is not working, and in the substance-use tracks (x1.2, others x0.9).
DROPOUT_P = {"early_responder": 0.13, "delayed_responder": 0.20, "non_responder": 0.33, "deteriorator": 0.38}
DROPOUT_TRACK_FACTOR = {"Substance Use": 1.2, "Dual Diagnosis": 1.2}
TRANSFER_P = {"deteriorator": 0.30}  # step-up to PHP; 2.5% for everyone else -> ~5% of discharges
DROPOUT_REASONS = [
    ("Left AMA", 0.45),
    ("Lost to contact", 0.40),
    ("Administrative discharge", 0.08),
    ("Incarcerated", 0.02),
    ("Other", 0.05),
]
AFTERCARE_P = {"complete": 0.85, "transfer": 0.90, "dropout": 0.15}
INSTRUMENTS = {"PHQ-9": (9, 3), "GAD-7": (7, 3), "PCL-5": (20, 4)}  # items, item maximum
# Reliable-change points of the shipped catalogue (clinical/instruments.toml). A score's
# measurement error is the standard error these imply, RC / (1.96 * sqrt 2): PHQ-9 2.2, GAD-7 1.4,
# PCL-5 4.3 points.
RELIABLE_CHANGE = {"PHQ-9": 6, "GAD-7": 4, "PCL-5": 12}
NOISE_SD = {name: rc / (1.96 * math.sqrt(2)) for name, rc in RELIABLE_CHANGE.items()}
SLOTS = {name: tuple(i for i in range(n) for _ in range(top)) for name, (n, top) in INSTRUMENTS.items()}
SLOTS["PHQ-1..8"] = tuple(i for i in range(8) for _ in range(3))
SESSIONS = {
    "group": ("09:00", 180),
    "individual": ("13:00", 50),
    "medication": ("14:00", 20),
    "family": ("15:00", 60),
}  # in start-time order
ATTENDANCE_HEADER = [
    "participant_id",
    "session_date",
    "start_time",
    "session_type",
    "status",
    "minutes",
    "program",
    "clinician",
    "session_id",
    "group_name",
    "location",  # last: the columns before it are as they were without it
]
# The daily group each track runs (adolescents in their own), named as an EHR's group schedule names them.
GROUP_NAMES = {
    "Depression/Anxiety": "Mood & Anxiety Skills Group",
    "Trauma": "Trauma Recovery Group",
    "Substance Use": "Recovery Skills Group",
    "Dual Diagnosis": "Integrated Recovery Group",
}
MEASURES_HEADER = ["participant_id", "assessment_date", "instrument", "total"] + [f"item_{i}" for i in range(1, 21)]
ROSTER_HEADER = [
    "Client ID",
    "Admission Date",
    "Discharge Date",
    "Discharge Reason",
    "Program",
    "Level of Care",
    "Primary Clinician",
    "Birth Year",
    "Aftercare Plan",
    "Payer",
    "Referral Source",
    "Primary Diagnosis",
    "Gender",
    "Race",
    "Ethnicity",
    "Date of Birth",
    "Location",  # last: the columns before it are as they were without it
]
# Equity fields (the demo's own shares, near those US IOP programs report; blank = not recorded):
# OMB race and ethnicity categories, gender, referral source, the track's diagnosis group.
GENDERS = [("Female", 0.55), ("Male", 0.42), ("Non-binary", 0.03)]
RACES = [
    ("White", 0.62),
    ("Black or African American", 0.16),
    ("Asian", 0.05),
    ("American Indian or Alaska Native", 0.02),
    ("Native Hawaiian or Other Pacific Islander", 0.01),
    ("More than one race", 0.05),
    ("", 0.09),
]
ETHNICITIES = [("Not Hispanic or Latino", 0.77), ("Hispanic or Latino", 0.18), ("", 0.05)]
REFERRALS = [
    ("Self or family", 0.35),
    ("Outpatient provider", 0.25),
    ("Inpatient or PHP step-down", 0.20),
    ("Court or criminal justice", 0.08),
    ("Employer or EAP", 0.05),
    ("Other", 0.07),
]
DIAGNOSES = {
    "Depression/Anxiety": [("Depressive disorders", 0.6), ("Anxiety disorders", 0.4)],
    "Trauma": [("Trauma- and stressor-related disorders", 1.0)],
    "Substance Use": [("Substance use disorders", 1.0)],
    "Dual Diagnosis": [("Co-occurring disorders", 1.0)],
}
AUTH_HEADER = [
    "Member ID",
    "Payer",
    "Level of Care",
    "Auth Number",
    "Auth Start",
    "Auth End",
    "Units Authorized",
    "Hours Authorized",
]
# Fictional payers: (name, share, authorizes in "days" or "hours"); self-pay needs no authorization.
PAYERS = [
    ("State Medicaid", 0.40, "hours"),
    ("Northwind Health PPO", 0.25, "days"),
    ("Summit Care HMO", 0.20, "days"),
    ("Medicare", 0.10, "hours"),
    ("Self-pay", 0.05, None),
]
# The problem list, as an Epic problem-list report words it: ICD-10-CM codes consistent with each
# episode's roster diagnosis group (the codes' shares are the demo's own).
DIAGNOSIS_HEADER = ["MRN", "ICD-10 Code", "Problem", "Noted Date", "Resolved Date"]
ICD10_NAMES = {
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.A": "Depression, unspecified",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F34.1": "Dysthymic disorder",
    "F41.1": "Generalized anxiety disorder",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.12": "Post-traumatic stress disorder, chronic",
    "F10.20": "Alcohol dependence, uncomplicated",
    "F11.20": "Opioid dependence, uncomplicated",
    "F12.20": "Cannabis dependence, uncomplicated",
    "F31.81": "Bipolar II disorder",
    "F31.32": "Bipolar disorder, current episode depressed, moderate",
    "F60.3": "Borderline personality disorder",
    "F29": "Unspecified psychosis not due to a substance or known physiological condition",
}
DEPRESSIVE_CODES = [
    ("F33.1", 0.30),
    ("F33.2", 0.18),
    ("F32.1", 0.20),
    ("F32.2", 0.12),
    ("F34.1", 0.12),
    ("F32.A", 0.08),
]
TRAUMA_CODES = [("F43.10", 0.6), ("F43.12", 0.4)]
SUBSTANCE_CODES = [("F10.20", 0.45), ("F11.20", 0.25), ("F12.20", 0.30)]
ANXIETY_WITH_DEPRESSION = 0.15  # anxiety episodes with a comorbid F32.1
# A few depressive episodes also carry a diagnosis the depression measures exclude, noted before admission.
EXCLUDING = [(("F31.81", "F31.32"), 0.03), (("F60.3",), 0.02), (("F29",), 0.01)]
RESOLVED_P = 0.3  # completed episodes whose mental-health problem is marked resolved after discharge
AUTH_BLOCK_DAYS = 21  # each block is approved for three weeks; a continued-stay review extends it


class Episode:
    """One admission: who, which days, the outcome type and how (or whether) it ended."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def clip(value, lo, hi):
    return max(lo, min(hi, value))


def us_date(d):
    return f"{d.month}/{d.day}/{d.year}" if d else ""
