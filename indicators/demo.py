"""A deterministic, clearly synthetic data set that feels like England in 2000.

Pure (numpy and the csv module): the same seed and sizes always give the same
files, byte for byte. What it builds in, so that later features have
something true to show:

- deprivation: northern regions are more deprived, and deprivation worsens
  the indicators flagged for the value-added adjustment (mortality,
  morbidity, access);
- year-on-year trends, overall and per organisation;
- missing values, a few organisations reporting too little to be rated,
  and one without a deprivation score;
- ties (counts that are mostly zero; percentages to one decimal place);
- merges: organisations that closed at the end of 1998-99 with a successor
  opened in 1999-00; primary care groups that began in April 1999.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .years import format_year, is_open_in

DEMO_SEED = 2000
DEFAULT_ORGANISATIONS = {"HA": 100, "TRUST": 170, "PCG": 300}
DEFAULT_YEARS = (1997, 1998, 1999, 2000)
DEPRIVATION_CODE = "DEPRIVATION"
# Primary care groups began on 1 April 1999.
TYPE_OPENED = {"PCG": 1999}

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

# How many pairs of each type merged at the end of 1998-99 into a new organisation.
MERGES = {"HA": 2, "TRUST": 5}


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


H, L = "higher_better", "lower_better"
ALL = ("HA", "TRUST", "PCG")

CATALOGUE = [
    # Core national targets.
    IndicatorTemplate("IP18M", "Inpatients waiting over 18 months", "access", L, "patients", ("HA", "TRUST"),
                      -5, 6, decimals=0, core_threshold=0, trend=0.25,
                      description="Patients on the inpatient waiting list for more than 18 months at 31 March."),
    IndicatorTemplate("OP26W", "Outpatients waiting over 26 weeks", "access", L, "% of outpatients",
                      ("HA", "TRUST"), 0.2, 1.2, high=100, core_threshold=1.3, trend=0.2,
                      description="Share of outpatients waiting more than 26 weeks for a first appointment."),
    IndicatorTemplate("CAN2WW", "Suspected breast cancer seen within two weeks", "quality", H,
                      "% of urgent referrals", ("HA", "TRUST"), 96.5, 2.4, high=100, core_threshold=94,
                      trend=0.3, description="Urgent GP referrals for suspected breast cancer seen by a "
                                             "specialist within two weeks."),
    IndicatorTemplate("TROLLEY12", "Patients waiting over 12 hours on a trolley", "patient_experience", L,
                      "patients", ("TRUST",), -7, 7, decimals=0, core_threshold=0, trend=0.15,
                      description="Emergency admissions waiting more than 12 hours from decision to admit."),
    IndicatorTemplate("FINBAL", "Financial balance", "efficiency", H, "% of income", ALL, 0.5, 0.5,
                      low=-100, decimals=2, core_threshold=0, trend=0.05,
                      description="Surplus (or deficit, negative) at year end as a share of income."),
    IndicatorTemplate("CANCOPS", "Cancelled operations not readmitted within 28 days", "patient_experience", L,
                      "% of cancelled operations", ("TRUST",), 4.0, 2.5, high=100, core_threshold=7, trend=0.1,
                      description="Operations cancelled on the day for non-clinical reasons where the patient "
                                  "was not admitted again within 28 days."),
    IndicatorTemplate("MMR24", "MMR immunisation at 24 months", "quality", H, "% of children", ("HA", "PCG"),
                      88, 3.5, high=100, core_threshold=84, adjust=True, deprivation_effect=0.5, trend=-0.05,
                      description="Children immunised against measles, mumps and rubella by their second "
                                  "birthday."),
    IndicatorTemplate("CERVSCR", "Cervical screening coverage", "quality", H, "% of eligible women", ("PCG",),
                      84, 3.0, high=100, core_threshold=80, adjust=True, deprivation_effect=0.6, trend=0.1,
                      description="Women aged 25 to 64 screened in the last five years."),
    # Quality, flagged for deprivation where the population's health drives the figure.
    IndicatorTemplate("MORTCIRC", "Deaths from circulatory disease under 75", "quality", L,
                      "per 100,000 population", ("HA", "PCG"), 125, 22, adjust=True, deprivation_effect=0.9,
                      trend=0.2, description="Directly standardised death rate from circulatory diseases, "
                                             "ages under 75."),
    IndicatorTemplate("MORTCANC", "Deaths from cancer under 75", "quality", L, "per 100,000 population",
                      ("HA", "PCG"), 135, 15, adjust=True, deprivation_effect=0.8, trend=0.15,
                      description="Directly standardised death rate from all cancers, ages under 75."),
    IndicatorTemplate("MORTSURG", "Deaths within 30 days of surgery", "quality", L, "per 100,000 spells",
                      ("TRUST",), 950, 160, adjust=True, deprivation_effect=0.6, trend=0.1,
                      description="Deaths in hospital within 30 days of surgery, non-elective admissions, "
                                  "indirectly standardised."),
    IndicatorTemplate("READMIT", "Emergency readmissions within 28 days", "quality", L, "% of discharges",
                      ("TRUST",), 5.6, 0.9, high=100, adjust=True, deprivation_effect=0.7, trend=0.05,
                      description="Emergency readmissions within 28 days of discharge from hospital."),
    IndicatorTemplate("TEENCONC", "Conceptions under 18", "quality", L, "per 1,000 girls aged 15-17",
                      ("HA", "PCG"), 45, 9, adjust=True, deprivation_effect=1.0, trend=0.1,
                      description="Conceptions to girls aged 15 to 17."),
    IndicatorTemplate("EMADMCHR", "Emergency admissions for chronic conditions", "quality", L,
                      "per 100,000 population", ("HA", "PCG"), 1150, 170, adjust=True, deprivation_effect=0.9,
                      trend=0.05, description="Emergency admissions for asthma, diabetes and epilepsy, "
                                              "age-standardised (morbidity)."),
    IndicatorTemplate("HIPREC", "Discharged home within 56 days of a hip fracture", "quality", H,
                      "% of patients", ("TRUST", "HA"), 48, 7, high=100, adjust=True, deprivation_effect=0.4,
                      trend=0.1,
                      description="Patients aged 65 and over admitted with a fractured hip and discharged "
                                  "to their usual residence within 56 days."),
    IndicatorTemplate("INFCTL", "Hospital infection control audit score", "quality", H, "score out of 100",
                      ("TRUST",), 78, 8, high=100, decimals=0, trend=0.15),
    IndicatorTemplate("DIABRET", "Diabetic retinopathy screening", "quality", H, "% of diabetic patients",
                      ("PCG", "HA"), 62, 9, high=100, trend=0.25),
    # Efficiency.
    IndicatorTemplate("DAYCASE", "Day case rate", "efficiency", H, "% of elective operations", ("TRUST", "HA"),
                      64, 6, high=100, trend=0.2,
                      description="Elective operations on the basket of procedures done as day cases."),
    IndicatorTemplate("LOSACUTE", "Average length of stay, acute specialties", "efficiency", L, "days",
                      ("TRUST",), 5.4, 0.8, trend=0.15),
    IndicatorTemplate("COSTIDX", "Reference cost index", "efficiency", L, "index (100 = national average)",
                      ("TRUST", "HA"), 100, 9, decimals=0, trend=0.0),
    IndicatorTemplate("GENERIC", "Generic prescribing", "efficiency", H, "% of items", ("PCG", "HA"), 72, 5,
                      high=100, trend=0.3),
    IndicatorTemplate("PRESCOST", "Prescribing cost per patient unit", "efficiency", L, "£",
                      ("PCG", "HA"), 108, 11, decimals=0, trend=-0.1),
    IndicatorTemplate("MGMTCOST", "Management costs", "efficiency", L, "% of allocation", ALL, 4.1, 0.7,
                      trend=0.1),
    IndicatorTemplate("BEDOCC", "Bed occupancy, general and acute", "efficiency", H, "% of beds",
                      ("TRUST",), 84, 4, high=100, trend=0.05),
    # Access, flagged where deprivation limits access.
    IndicatorTemplate("GP48H", "Patients able to see a GP within 48 hours", "access", H, "% of practices",
                      ("PCG", "HA"), 78, 10, high=100, adjust=True, deprivation_effect=0.5, trend=0.35),
    IndicatorTemplate("DENTAL", "Adults registered with an NHS dentist", "access", H, "% of adults",
                      ("HA", "PCG"), 52, 8, high=100, adjust=True, deprivation_effect=0.6, trend=-0.05),
    IndicatorTemplate("ASW4H", "A&E patients seen within 4 hours", "access", H, "% of attendances", ("TRUST",),
                      88, 5, high=100, trend=0.2),
    IndicatorTemplate("IPWAIT", "Inpatients waiting under 6 months", "access", H, "% of waiting list",
                      ("TRUST", "HA"), 71, 6, high=100, trend=0.15),
    IndicatorTemplate("OPWAIT13", "Outpatients seen within 13 weeks", "access", H, "% of first appointments",
                      ("TRUST", "HA"), 77, 6, high=100, trend=0.15),
    IndicatorTemplate("SMOKQUIT", "Smokers quitting at four weeks", "access", H, "per 100,000 adults",
                      ("HA", "PCG"), 320, 90, decimals=0, adjust=True, deprivation_effect=0.4, trend=0.4),
    IndicatorTemplate("PRACNURS", "Practices with a practice nurse", "access", H, "% of practices", ("PCG",),
                      88, 6, high=100, trend=0.1),
    # Patient experience.
    IndicatorTemplate("COMPLT", "Written complaints resolved within four weeks", "patient_experience", H,
                      "% of complaints", ALL, 74, 9, high=100, trend=0.2),
    IndicatorTemplate("MIXSEX", "Patients in mixed-sex accommodation", "patient_experience", L,
                      "per 1,000 admissions", ("TRUST",), 3, 2.5, trend=0.3),
    IndicatorTemplate("SURVEY", "Patients rating their care good or excellent", "patient_experience", H,
                      "% of survey respondents", ALL, 78, 5, high=100, trend=0.1),
    IndicatorTemplate("CLEAN", "Hospital cleanliness score", "patient_experience", H, "score out of 100",
                      ("TRUST",), 82, 7, high=100, decimals=0, trend=0.1),
    IndicatorTemplate("PALS", "Patients given written information on discharge", "patient_experience", H,
                      "% of patients", ("TRUST", "PCG"), 66, 10, high=100, trend=0.25),
    IndicatorTemplate("ACCESSINFO", "Practices publishing their services leaflet", "patient_experience", H,
                      "% of practices", ("PCG", "HA"), 81, 8, high=100, trend=0.1),
]


@dataclass
class DemoData:
    """The generated tables, as lists of CSV rows, header first."""

    regions: list[list[str]] = field(default_factory=list)
    organisations: list[list[str]] = field(default_factory=list)
    indicators: list[list[str]] = field(default_factory=list)
    returns: list[list[str]] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def generate(
    *,
    seed: int = DEMO_SEED,
    organisations: dict[str, int] | None = None,
    indicators_per_type: int | None = None,
    years: tuple[int, ...] = DEFAULT_YEARS,
) -> DemoData:
    """Build the data set. `organisations` maps a type code to how many
    organisations of that type (the merged-into successors included);
    `indicators_per_type` (default: the catalogue's, 15 to 25 a type) makes up
    more indicators by varying the catalogue's when asked for more."""
    rng = np.random.default_rng(seed)
    organisations = dict(DEFAULT_ORGANISATIONS if organisations is None else organisations)
    years = tuple(sorted(years))
    data = DemoData()
    data.regions = [["code", "name", "area"]] + [[code, name, area] for code, name, area, _, _ in REGIONS]
    data.organisations = [["code", "name", "type", "region", "opened", "closed", "successor"]]
    data.indicators = [["code", "name", "kind", "domain", "direction", "organisation_types", "weight",
                        "core_threshold", "adjust_for_deprivation", "unit", "description", "source"]]
    data.returns = [["organisation_code", "indicator_code", "year", "value"]]

    templates = _indicator_set(organisations, indicators_per_type)
    for template in templates:
        data.indicators.append([
            template.code, template.name, "performance", template.domain, template.direction,
            ";".join(template.types), "1", _format(template.core_threshold, template.decimals),
            "true" if template.adjust else "false", template.unit, template.description,
            "Synthetic: generated by generate_demo, not a real NHS statistic.",
        ])
    data.indicators.append([
        DEPRIVATION_CODE, "Deprivation score of the resident population", "context", "", "higher_better",
        ";".join(organisations), "1", "", "false", "score",
        "Population-weighted average deprivation score; higher means more deprived. Outside the "
        "organisation's control: used only for the value-added adjustment.",
        "Synthetic: generated by generate_demo, not a real NHS statistic.",
    ])

    for type_code, count in organisations.items():
        _generate_type(rng, data, type_code, count, [t for t in templates if type_code in t.types], years)

    data.manifest = {
        "synthetic": True,
        "description": "Synthetic demonstration data: invented organisations, named after real places, with "
                       "made-up figures shaped like the NHS in England in 2000. No figure describes a real "
                       "organisation.",
        "seed": seed,
        "organisations": organisations,
        "indicators": len(templates),
        "years": [format_year(y) for y in years],
        "result_rows": len(data.returns) - 1,
    }
    return data


def write(data: DemoData, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("regions", "organisations", "indicators", "returns"):
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(getattr(data, name))
    (folder / "dataset.json").write_text(json.dumps(data.manifest, indent=2) + "\n", encoding="utf-8")


def _indicator_set(organisations: dict[str, int], per_type: int | None) -> list[IndicatorTemplate]:
    """The catalogue, restricted to the types asked for, or made up to `per_type` a type."""
    types = tuple(organisations)
    chosen = [t for t in CATALOGUE if set(t.types) & set(types)]
    chosen = [_with_types(t, tuple(x for x in t.types if x in types)) for t in chosen]
    if per_type is None:
        return chosen
    result = []
    for type_code in types:
        own = [t for t in chosen if t.types == (type_code,) or type_code in t.types]
        picked = own[:per_type]
        for extra in range(per_type - len(picked)):
            base = own[extra % len(own)]
            picked.append(IndicatorTemplate(
                **{**base.__dict__, "code": f"{base.code}_{type_code}{extra + 1:03d}",
                   "name": f"{base.name} (variant {extra + 1})", "core_threshold": None}))
        result.extend(_with_types(t, (type_code,)) for t in picked)
    # An indicator shared by several types appears once, applying to all of them.
    merged: dict[str, IndicatorTemplate] = {}
    for template in result:
        held = merged.get(template.code)
        merged[template.code] = template if held is None else _with_types(held, held.types + template.types)
    return list(merged.values())


def _with_types(template: IndicatorTemplate, types: tuple[str, ...]) -> IndicatorTemplate:
    return IndicatorTemplate(**{**template.__dict__, "types": types})


def _generate_type(rng, data: DemoData, type_code: str, count: int, templates, years) -> None:
    organisations = _organisations_of_type(rng, type_code, count, years)
    for org in organisations:
        data.organisations.append([
            org["code"], org["name"], type_code, org["region"], _year_text(org["opened"]),
            _year_text(org["closed"]), org["successor"] or "",
        ])
    n, first, last = len(organisations), years[0], years[-1]
    region_deprivation = {code: mean for code, _, _, mean, _ in REGIONS}
    base_deprivation = np.array([region_deprivation[o["region"]] for o in organisations])
    base_deprivation = np.clip(base_deprivation + rng.normal(0, 6, n), 3, 65)
    # Shared quality, a little worse where deprivation is high even after adjustment.
    quality = rng.normal(0, 1, n) - 0.1 * (base_deprivation - 22) / 10
    improvement = rng.normal(0, 0.12, n)
    open_in = {year: np.array([is_open_in(year, opened=o["opened"], closed=o["closed"]) for o in organisations])
               for year in years}
    sparse = rng.random(n) < 0.012  # a few report too little in the latest year to be rated
    no_deprivation_score = rng.random(n) < 0.005

    deprivation = {}
    for year in years:
        deprivation[year] = np.round(base_deprivation + rng.normal(0, 0.4, n) - 0.2 * (year - first), 1)
    for template in templates:
        own_effect = rng.normal(0, 1, n)
        sign = 1.0 if template.direction == H else -1.0
        for year in years:
            step = year - last
            signal = (0.45 * quality + 0.6 * own_effect + (template.trend + improvement) * step
                      + rng.normal(0, 0.3, n)
                      - template.deprivation_effect * (deprivation[year] - 22) / 10)
            values = np.clip(template.mean + template.sd * sign * signal, template.low, template.high)
            values = np.round(values, template.decimals)
            missing = rng.random(n) < 0.025
            if year == last:
                missing |= sparse & (rng.random(n) < 0.7)
            for i in np.flatnonzero(open_in[year] & ~missing):
                data.returns.append([organisations[i]["code"], template.code, format_year(year),
                                     _format(values[i], template.decimals)])
    for year in years:
        for i in np.flatnonzero(open_in[year] & ~no_deprivation_score):
            data.returns.append([organisations[i]["code"], DEPRIVATION_CODE, format_year(year),
                                 _format(deprivation[year][i], 1)])


def _organisations_of_type(rng, type_code: str, count: int, years) -> list[dict]:
    """Organisations with names, codes, regions, and the merges of 1999."""
    per_region = share_out(count, [weight for *_, weight in REGIONS])
    opened = TYPE_OPENED.get(type_code)
    patterns = NAME_PATTERNS.get(type_code, ["{place} " + type_code.title()])
    organisations = []
    for (region, *_), region_count in zip(REGIONS, per_region):
        names = [p.format(place=place) for p in patterns for place in PLACES[region]]
        for i in range(region_count):
            name = names[i] if i < len(names) else f"Synthetic {type_code} {region} {i + 1:05d}"
            organisations.append({"name": name, "region": region, "opened": opened, "closed": None,
                                  "successor": None})
    order = rng.permutation(len(organisations))
    organisations = [organisations[i] for i in order]
    for number, organisation in enumerate(organisations):
        organisation["code"] = _code(type_code, number)

    # Merges: two organisations of a region close at the end of 1998-99 and a
    # new one, the last of that region in the list, takes over from 1999-00.
    if opened is None and 1998 in years and 1999 in years:
        for _ in range(min(MERGES.get(type_code, 0), count // 20)):
            successor = organisations.pop()
            partners = [o for o in organisations if o["region"] == successor["region"] and o["closed"] is None
                        and o["opened"] is None][:2]
            if len(partners) < 2:
                organisations.append(successor)
                break
            for partner in partners:
                partner["closed"], partner["successor"] = 1998, successor["code"]
            first_words = [p["name"].split(" ")[0] for p in partners]
            suffix = successor["name"].split(" ", 1)[1] if " " in successor["name"] else type_code
            successor.update(name=f"{first_words[0]} and {first_words[1]} {suffix}", opened=1999)
            organisations.insert(0, successor)
    return sorted(organisations, key=lambda o: o["code"])


def share_out(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainders first."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _code(type_code: str, number: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    if type_code == "HA" and number < 100:
        return f"Q{number:02d}"
    if type_code == "TRUST" and number < len(letters) ** 2:
        return f"R{letters[number // len(letters)]}{letters[number % len(letters)]}"
    if type_code == "PCG" and number < 2 * len(letters) * 10:
        block, rest = divmod(number, len(letters) * 10)
        return f"{4 + block}{letters[rest // 10]}{rest % 10}"
    return f"{type_code[0]}{number:06d}"


def _year_text(year: int | None) -> str:
    return format_year(year) if year is not None else ""


def _format(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    # Rounding can leave "-0.0", which reads as a sign error.
    return text[1:] if text.startswith("-") and float(text) == 0 else text
