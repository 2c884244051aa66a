"""The fixed vocabularies of the reference data, each (code, words) in its
order: the models' choices and constraints are built from these, and the file
validators, the rating engine and the public pages read them. Pure: the
engine and the pandas-free web process both import it."""

# Broad areas for the fairness analysis (the King's Fund north/south question).
AREA_CHOICES = (("north", "North"), ("midlands", "Midlands"), ("south", "South"))

# A performance indicator is scored; a context indicator never is (the deprivation score).
PERFORMANCE, CONTEXT = "performance", "context"
KIND_CHOICES = ((PERFORMANCE, "Performance indicator"), (CONTEXT, "Context indicator"))

# The four criteria the classification was announced on.
DOMAIN_CHOICES = (("quality", "Service quality"), ("efficiency", "Efficiency"), ("access", "Access"),
                  ("patient_experience", "Patient experience"))

DIRECTION_CHOICES = (("higher_better", "Higher is better"), ("lower_better", "Lower is better"))

# How a result's value is built (spec, "Words"): `proportion` and `rate` are
# multiplier × numerator / denominator, so they have a sampling model; `other` has none.
PROPORTION, RATE, OTHER = "proportion", "rate", "other"
MEASURE_CHOICES = ((PROPORTION, "Proportion"), (RATE, "Rate"), (OTHER, "Other (a count, an index, a balance)"))

AREAS = tuple(code for code, _ in AREA_CHOICES)
KINDS = tuple(code for code, _ in KIND_CHOICES)
DOMAINS = tuple(code for code, _ in DOMAIN_CHOICES)
DIRECTIONS = tuple(code for code, _ in DIRECTION_CHOICES)
MEASURES = tuple(code for code, _ in MEASURE_CHOICES)
