"""The cross-check rules (CONTRACT.md's codes), each a small unit: one or two set-based SQL
queries over the registry and the departments' lists in use, run by the database; Python only
words the evidence of what was found (and, for names, drops the candidates that differ only by a
full-width space or a traditional character).

Every query is limited to the households of one region subtree: `h.region_id BETWEEN lo AND hi`.

`base` holds the parameters, helpers, Hit, Context and the `@rule` registry RULES; each family
of rules has its module and registers its rules when imported. Everything is re-exported here.
"""

from anju.crosscheck.rules.base import (
    DEFAULTS,
    HEAD_ID,
    HOUSEHOLD_ACCOUNT,
    LIST_OF_CATEGORY,
    NEW_HOUSE_METHODS,
    PAYMENT_ACCOUNT,
    PERSON_ID,
    REBUILDS,
    REFERENCE_ID,
    RULES,
    SCOPE,
    TASK_ID,
    Context,
    Hit,
    day,
    marks,
    parameters,
    rule,
    same_name,
    who,
    yuan,
)

# isort: off
# The order of these imports is the order the rules register in RULES (that of the Rule codes),
# and so the order a run runs them: keep it.
from anju.crosscheck.rules.subsidies import (
    deceased_beneficiary,
    ineligible,
    duplicate_subsidy,
)
from anju.crosscheck.rules.payments import (
    payment_account,
    payment_amount,
    payment_late,
)
from anju.crosscheck.rules.records import (
    invalid_id,
    record_mismatch,
    no_assessment,
    grade_mismatch,
    area_standard,
    no_toilet,
    no_acceptance,
)
from anju.crosscheck.rules.followup import (
    assessment_overdue,
    visit_overdue,
    plate_missing,
    still_in_dangerous_house,
)
from anju.crosscheck.rules.renovation import not_renovated
# isort: on

__all__ = [
    "DEFAULTS",
    "HEAD_ID",
    "HOUSEHOLD_ACCOUNT",
    "LIST_OF_CATEGORY",
    "NEW_HOUSE_METHODS",
    "PAYMENT_ACCOUNT",
    "PERSON_ID",
    "REBUILDS",
    "REFERENCE_ID",
    "RULES",
    "SCOPE",
    "TASK_ID",
    "Context",
    "Hit",
    "area_standard",
    "assessment_overdue",
    "day",
    "deceased_beneficiary",
    "duplicate_subsidy",
    "grade_mismatch",
    "ineligible",
    "invalid_id",
    "marks",
    "no_acceptance",
    "no_assessment",
    "no_toilet",
    "not_renovated",
    "parameters",
    "payment_account",
    "payment_amount",
    "payment_late",
    "plate_missing",
    "record_mismatch",
    "rule",
    "same_name",
    "still_in_dangerous_house",
    "visit_overdue",
    "who",
    "yuan",
]
