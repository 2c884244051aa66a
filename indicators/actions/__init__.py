"""Every write to the indicators app goes through these functions: keyword-only,
atomic, given rows that the pure validators have already accepted.

- `reference_data`: regions, organisations and indicators, from the import
  files and from the admin (audited).
- `definitions`: a year's indicator definitions, from the ratings workflow (audited).
- `memberships`: who uploads which region's returns (audited).
- `results`: storing a return's figures under the (year, region) locks.
- `web_uploads`: a web upload validated, confirmed or reversed.
"""

from .definitions import define_for_year, definition_problems
from .memberships import (grant_organisation_membership, grant_region_membership, remove_every_organisation_membership,
                          remove_every_region_membership, remove_organisation_membership, remove_region_membership)
from .reference_data import (ReferenceCounts, delete_indicator, delete_organisation, import_indicators,
                             import_organisations, import_regions, save_indicator, save_organisation)
from .results import BATCH_SIZE, ReturnSummary, StaleReferenceError, UploadError, ValueChange, apply_return
from .web_uploads import (OrganisationsMoved, PreviewOutdated, Reversal, UploadNotAllowed, confirm_upload,
                          reverse_upload, validate_upload)

__all__ = [
    "grant_organisation_membership", "remove_every_organisation_membership", "remove_organisation_membership",
    "BATCH_SIZE", "OrganisationsMoved", "PreviewOutdated", "ReferenceCounts", "ReturnSummary", "Reversal",
    "StaleReferenceError", "UploadError", "UploadNotAllowed", "ValueChange", "apply_return", "confirm_upload",
    "define_for_year", "definition_problems", "delete_indicator", "delete_organisation", "grant_region_membership", "import_indicators",
    "import_organisations", "import_regions", "remove_every_region_membership", "remove_region_membership",
    "reverse_upload", "save_indicator", "save_organisation", "validate_upload",
]
