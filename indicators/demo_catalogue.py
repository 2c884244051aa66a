"""What the demo data set is made of: the regions of 2000 with their invented
deprivation, the places organisations are named after, and the catalogue of
indicators with the shape of their made-up figures. Pure data, read by
`demo.generate`."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import DIRECTIONS

# code, name, area, mean deprivation score (higher = more deprived), weight when sharing organisations out
REGIONS = [
    ("NY", "Northern and Yorkshire", "north", 31.0, 15),
    ("NW", "North West", "north", 33.0, 16),
    ("TR", "Trent", "north", 28.0, 12),
    ("WM", "West Midlands", "midlands", 27.0, 13),
    ("EA", "Eastern", "south", 16.0, 12),
    ("LN", "London", "south", 29.0, 16),
    ("SE", "South East", "south", 14.0, 15),
    ("SW", "South West", "south", 17.0, 12),
]

PLACES = {
    "NY": ["Newcastle", "Sunderland", "Gateshead", "Durham", "Darlington", "Middlesbrough", "Hartlepool",
           "Leeds", "Bradford", "Wakefield", "Calderdale", "Kirklees", "York", "Hull", "Northumberland",
           "Harrogate", "Scarborough"],
    "NW": ["Manchester", "Salford", "Stockport", "Bolton", "Wigan", "Bury", "Oldham", "Rochdale", "Liverpool",
           "Sefton", "Wirral", "St Helens", "Warrington", "Preston", "Blackburn", "Blackpool", "Lancaster",
           "Chester"],
    "TR": ["Sheffield", "Rotherham", "Barnsley", "Doncaster", "Nottingham", "Derby", "Leicester", "Lincoln",
           "Mansfield", "Chesterfield", "Grimsby", "Scunthorpe", "Bassetlaw", "Boston"],
    "WM": ["Birmingham", "Coventry", "Wolverhampton", "Walsall", "Dudley", "Sandwell", "Solihull", "Stoke",
           "Stafford", "Shrewsbury", "Hereford", "Worcester", "Warwick", "Telford"],
    "EA": ["Norwich", "Ipswich", "Cambridge", "Peterborough", "Luton", "Bedford", "Chelmsford", "Colchester",
           "Southend", "Hertford", "Watford", "King's Lynn", "Huntingdon", "Basildon"],
    "LN": ["Camden", "Islington", "Lambeth", "Southwark", "Hackney", "Newham", "Tower Hamlets", "Barnet",
           "Enfield", "Croydon", "Bromley", "Ealing", "Brent", "Kingston", "Redbridge", "Hillingdon"],
    "SE": ["Oxford", "Reading", "Brighton", "Portsmouth", "Southampton", "Canterbury", "Maidstone", "Guildford",
           "Crawley", "Milton Keynes", "Aylesbury", "Winchester", "Hastings", "Chichester", "Slough"],
    "SW": ["Bristol", "Bath", "Plymouth", "Exeter", "Torbay", "Gloucester", "Swindon", "Salisbury", "Taunton",
           "Truro", "Bournemouth", "Dorchester", "Cheltenham", "Yeovil"],
}

NAME_PATTERNS = {
    "HA": ["{place} Health Authority", "North {place} Health Authority", "South {place} Health Authority",
           "East {place} Health Authority", "West {place} Health Authority"],
    "TRUST": ["{place} Hospitals NHS Trust", "{place} General Hospital NHS Trust",
              "{place} and District Hospitals NHS Trust", "Royal {place} Hospital NHS Trust",
              "{place} Teaching Hospitals NHS Trust", "{place} Healthcare NHS Trust"],
    "PCG": ["{place} North PCG", "{place} South PCG", "{place} Central PCG", "{place} East PCG",
            "{place} West PCG", "{place} Rural PCG"],
}

# How many pairs of each type merged at the end of 1998-99 into a new organisation,
# and the name the new one takes after its two partners' places ("Walsall and Telford ...").
MERGES = {"HA": 2, "TRUST": 5}
MERGED_NAME = {"HA": "{first} and {second} Health Authority", "TRUST": "{first} and {second} Hospitals NHS Trust"}

# What an organisation's counts are drawn from, so that small ones are noisy: the
# resident population of a health authority or primary care group, a trust's
# admissions a year (drawn evenly on a log scale between the two).
POPULATION_RANGE = {"HA": (150_000, 1_000_000), "PCG": (50_000, 250_000), "TRUST": (20_000, 120_000)}
ADMISSIONS_BASED = frozenset({"TRUST"})

# A core target tightened once: (code, first year of the new target, the new target).
TIGHTENED = ("CAN2WW", 1999, 95.0)


@dataclass(frozen=True)
class IndicatorTemplate:
    code: str
    name: str
    domain: str
    direction: str
    unit: str
    types: tuple[str, ...]
    mean: float
    sd: float
    low: float = 0.0
    high: float = float("inf")
    decimals: int = 1
    core_threshold: float | None = None
    adjust: bool = False
    # Standard deviations lost per 10 points of deprivation (in the bad direction).
    deprivation_effect: float = 0.0
    # Standard deviations gained per year, nationally (in the good direction).
    trend: float = 0.1
    description: str = ""
    # proportion or rate: value = multiplier x numerator / denominator; other: no counts.
    measure: str = "other"
    multiplier: float | None = None
    # The denominator per head of population (health authorities, primary care
    # groups) and per admission (trusts).
    per_head: float = 0.0
    per_admission: float = 0.0


H, L = DIRECTIONS  # higher_better, lower_better
ALL = ("HA", "TRUST", "PCG")

CATALOGUE = [
    # Core national targets.
    IndicatorTemplate("IP18M", "Inpatients waiting over 18 months", "access", L, "patients", ("HA", "TRUST"),
                      -6, 6, decimals=0, core_threshold=0, trend=0.08,
                      description="Patients on the inpatient waiting list for more than 18 months at 31 March."),
    IndicatorTemplate("OP26W", "Outpatients waiting over 26 weeks", "access", L, "% of outpatients",
                      ("HA", "TRUST"), 0.1, 1.2, high=100, core_threshold=1.3, trend=0.08,
                      description="Share of outpatients waiting more than 26 weeks for a first appointment.",
                      measure="proportion", multiplier=100, per_head=0.25, per_admission=1.2),
    IndicatorTemplate("CAN2WW", "Suspected breast cancer seen within two weeks", "quality", H,
                      "% of urgent referrals", ("HA", "TRUST"), 96.5, 2.4, high=100, core_threshold=94,
                      trend=0.15, description="Urgent GP referrals for suspected breast cancer seen by a "
                                             "specialist within two weeks.",
                      measure="proportion", multiplier=100, per_head=0.0012, per_admission=0.01),
    IndicatorTemplate("TROLLEY12", "Patients waiting over 12 hours on a trolley", "patient_experience", L,
                      "patients", ("TRUST",), -7, 7, decimals=0, core_threshold=0, trend=0.05,
                      description="Emergency admissions waiting more than 12 hours from decision to admit."),
    IndicatorTemplate("FINBAL", "Financial balance", "efficiency", H, "% of income", ALL, 0.5, 0.5,
                      low=-100, decimals=2, core_threshold=0, trend=0.05,
                      description="Surplus (or deficit, negative) at year end as a share of income."),
    IndicatorTemplate("CANCOPS", "Cancelled operations not readmitted within 28 days", "patient_experience", L,
                      "% of cancelled operations", ("TRUST",), 4.0, 2.5, high=100, core_threshold=7, trend=0.1,
                      description="Operations cancelled on the day for non-clinical reasons where the patient "
                                  "was not admitted again within 28 days.",
                      measure="proportion", multiplier=100, per_head=0, per_admission=0.01),
    IndicatorTemplate("MMR24", "MMR immunisation at 24 months", "quality", H, "% of children", ("HA", "PCG"),
                      88, 3.5, high=100, core_threshold=84, adjust=True, deprivation_effect=0.5, trend=-0.05,
                      description="Children immunised against measles, mumps and rubella by their second "
                                  "birthday.",
                      measure="proportion", multiplier=100, per_head=0.012, per_admission=0),
    IndicatorTemplate("CERVSCR", "Cervical screening coverage", "quality", H, "% of eligible women", ("PCG",),
                      84, 3.0, high=100, core_threshold=80, adjust=True, deprivation_effect=0.6, trend=0.1,
                      description="Women aged 25 to 64 screened in the last five years.",
                      measure="proportion", multiplier=100, per_head=0.27, per_admission=0),
    # Quality, flagged for deprivation where the population's health drives the figure.
    IndicatorTemplate("MORTCIRC", "Deaths from circulatory disease under 75", "quality", L,
                      "per 100,000 population", ("HA", "PCG"), 125, 22, adjust=True, deprivation_effect=0.9,
                      trend=0.2, description="Directly standardised death rate from circulatory diseases, "
                                             "ages under 75.",
                      measure="rate", multiplier=100000, per_head=0.9, per_admission=0),
    IndicatorTemplate("MORTCANC", "Deaths from cancer under 75", "quality", L, "per 100,000 population",
                      ("HA", "PCG"), 135, 15, adjust=True, deprivation_effect=0.8, trend=0.15,
                      description="Directly standardised death rate from all cancers, ages under 75.",
                      measure="rate", multiplier=100000, per_head=0.9, per_admission=0),
    IndicatorTemplate("MORTSURG", "Deaths within 30 days of surgery", "quality", L, "per 100,000 spells",
                      ("TRUST",), 950, 160, adjust=True, deprivation_effect=0.6, trend=0.1,
                      description="Deaths in hospital within 30 days of surgery, non-elective admissions, "
                                  "indirectly standardised.",
                      measure="rate", multiplier=100000, per_head=0, per_admission=0.3),
    IndicatorTemplate("READMIT", "Emergency readmissions within 28 days", "quality", L, "% of discharges",
                      ("TRUST",), 5.6, 0.9, high=100, adjust=True, deprivation_effect=0.7, trend=0.05,
                      description="Emergency readmissions within 28 days of discharge from hospital.",
                      measure="proportion", multiplier=100, per_head=0, per_admission=1.0),
    IndicatorTemplate("TEENCONC", "Conceptions under 18", "quality", L, "per 1,000 girls aged 15-17",
                      ("HA", "PCG"), 45, 9, adjust=True, deprivation_effect=1.0, trend=0.1,
                      description="Conceptions to girls aged 15 to 17.",
                      measure="rate", multiplier=1000, per_head=0.018, per_admission=0),
    IndicatorTemplate("EMADMCHR", "Emergency admissions for chronic conditions", "quality", L,
                      "per 100,000 population", ("HA", "PCG"), 1150, 170, adjust=True, deprivation_effect=0.9,
                      trend=0.05, description="Emergency admissions for asthma, diabetes and epilepsy, "
                                              "age-standardised (morbidity).",
                      measure="rate", multiplier=100000, per_head=1.0, per_admission=0),
    IndicatorTemplate("HIPREC", "Discharged home within 56 days of a hip fracture", "quality", H,
                      "% of patients", ("TRUST", "HA"), 48, 7, high=100, adjust=True, deprivation_effect=0.4,
                      trend=0.1,
                      description="Patients aged 65 and over admitted with a fractured hip and discharged "
                                  "to their usual residence within 56 days.",
                      measure="proportion", multiplier=100, per_head=0.0008, per_admission=0.008),
    IndicatorTemplate("INFCTL", "Hospital infection control audit score", "quality", H, "score out of 100",
                      ("TRUST",), 78, 8, high=100, decimals=0, trend=0.15),
    IndicatorTemplate("DIABRET", "Diabetic retinopathy screening", "quality", H, "% of diabetic patients",
                      ("PCG", "HA"), 62, 9, high=100, trend=0.25,
                      measure="proportion", multiplier=100, per_head=0.03, per_admission=0),
    # Efficiency.
    IndicatorTemplate("DAYCASE", "Day case rate", "efficiency", H, "% of elective operations", ("TRUST", "HA"),
                      64, 6, high=100, trend=0.2,
                      description="Elective operations on the basket of procedures done as day cases.",
                      measure="proportion", multiplier=100, per_head=0.03, per_admission=0.3),
    IndicatorTemplate("LOSACUTE", "Average length of stay, acute specialties", "efficiency", L, "days",
                      ("TRUST",), 5.4, 0.8, trend=0.15),
    IndicatorTemplate("COSTIDX", "Reference cost index", "efficiency", L, "index (100 = national average)",
                      ("TRUST", "HA"), 100, 9, decimals=0, trend=0.0),
    IndicatorTemplate("GENERIC", "Generic prescribing", "efficiency", H, "% of items", ("PCG", "HA"), 72, 5,
                      high=100, trend=0.3,
                      measure="proportion", multiplier=100, per_head=10, per_admission=0),
    IndicatorTemplate("PRESCOST", "Prescribing cost per patient unit", "efficiency", L, "£",
                      ("PCG", "HA"), 108, 11, decimals=0, trend=-0.1),
    IndicatorTemplate("MGMTCOST", "Management costs", "efficiency", L, "% of allocation", ALL, 4.1, 0.7,
                      trend=0.1),
    IndicatorTemplate("BEDOCC", "Bed occupancy, general and acute", "efficiency", H, "% of beds",
                      ("TRUST",), 84, 4, high=100, trend=0.05),
    # Access, flagged where deprivation limits access.
    IndicatorTemplate("GP48H", "Patients able to see a GP within 48 hours", "access", H, "% of practices",
                      ("PCG", "HA"), 78, 10, high=100, adjust=True, deprivation_effect=0.5, trend=0.35,
                      measure="proportion", multiplier=100, per_head=1 / 6000, per_admission=0),
    IndicatorTemplate("DENTAL", "Adults registered with an NHS dentist", "access", H, "% of adults",
                      ("HA", "PCG"), 52, 8, high=100, adjust=True, deprivation_effect=0.6, trend=-0.05,
                      measure="proportion", multiplier=100, per_head=0.78, per_admission=0),
    IndicatorTemplate("ASW4H", "A&E patients seen within 4 hours", "access", H, "% of attendances", ("TRUST",),
                      88, 5, high=100, trend=0.2,
                      measure="proportion", multiplier=100, per_head=0, per_admission=1.5),
    IndicatorTemplate("IPWAIT", "Inpatients waiting under 6 months", "access", H, "% of waiting list",
                      ("TRUST", "HA"), 71, 6, high=100, trend=0.15,
                      measure="proportion", multiplier=100, per_head=0.02, per_admission=0.15),
    IndicatorTemplate("OPWAIT13", "Outpatients seen within 13 weeks", "access", H, "% of first appointments",
                      ("TRUST", "HA"), 77, 6, high=100, trend=0.15,
                      measure="proportion", multiplier=100, per_head=0.25, per_admission=1.2),
    IndicatorTemplate("SMOKQUIT", "Smokers quitting at four weeks", "access", H, "per 100,000 adults",
                      ("HA", "PCG"), 320, 90, decimals=0, adjust=True, deprivation_effect=0.4, trend=0.4,
                      measure="rate", multiplier=100000, per_head=0.78, per_admission=0),
    IndicatorTemplate("PRACNURS", "Practices with a practice nurse", "access", H, "% of practices", ("PCG",),
                      88, 6, high=100, trend=0.1,
                      measure="proportion", multiplier=100, per_head=1 / 6000, per_admission=0),
    # Patient experience.
    IndicatorTemplate("COMPLT", "Written complaints resolved within four weeks", "patient_experience", H,
                      "% of complaints", ALL, 74, 9, high=100, trend=0.2,
                      measure="proportion", multiplier=100, per_head=0.001, per_admission=0.01),
    IndicatorTemplate("MIXSEX", "Patients in mixed-sex accommodation", "patient_experience", L,
                      "per 1,000 admissions", ("TRUST",), 3, 2.5, trend=0.3,
                      measure="rate", multiplier=1000, per_head=0, per_admission=1.0),
    IndicatorTemplate("SURVEY", "Patients rating their care good or excellent", "patient_experience", H,
                      "% of survey respondents", ALL, 78, 5, high=100, trend=0.1,
                      measure="proportion", multiplier=100, per_head=0.002, per_admission=0.01),
    IndicatorTemplate("CLEAN", "Hospital cleanliness score", "patient_experience", H, "score out of 100",
                      ("TRUST",), 82, 7, high=100, decimals=0, trend=0.1),
    IndicatorTemplate("PALS", "Patients given written information on discharge", "patient_experience", H,
                      "% of patients", ("TRUST", "PCG"), 66, 10, high=100, trend=0.25,
                      measure="proportion", multiplier=100, per_head=0.05, per_admission=0.8),
    IndicatorTemplate("ACCESSINFO", "Practices publishing their services leaflet", "patient_experience", H,
                      "% of practices", ("PCG", "HA"), 81, 8, high=100, trend=0.1,
                      measure="proportion", multiplier=100, per_head=1 / 6000, per_admission=0),
]
