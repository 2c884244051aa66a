"""RatingRun's publication predicates and their SQL twins in
RatingRunQuerySet agree on every status and every publication and
withdrawal time, either side of the moment asked about and on it."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from indicators.models import OrganisationType
from ratings.models import RatingRun

NOW = timezone.now().replace(microsecond=0)
MOMENTS = [None, NOW - timedelta(hours=2), NOW - timedelta(seconds=1), NOW, NOW + timedelta(seconds=1)]
# Each pair: the queryset filter at `at`, the predicate of a run at `at`.
TWINS = {
    "drafts / is_draft": (lambda runs, at: runs.drafts(), lambda run, at: run.is_draft),
    "publication_candidates / can_withdraw": (lambda runs, at: runs.publication_candidates(),
                                              lambda run, at: run.can_withdraw),
    "due / is_due": (lambda runs, at: runs.due(at), lambda run, at: run.is_due(at)),
    "ever_public / was_public": (lambda runs, at: runs.ever_public(at), lambda run, at: run.was_public(at)),
}


@pytest.fixture
def every_state(db):
    """A run of each status with each publication and withdrawal time the
    constraints allow, each in a year of its own."""
    type_ = OrganisationType.objects.get(code="HA")
    runs = []
    for year, (status, published_at, withdrawn_at) in enumerate(itertools.product(
            RatingRun.Status.values, MOMENTS, MOMENTS), start=1000):
        if status in RatingRun.CANDIDATE_STATUSES and published_at is None:
            continue  # the database refuses it
        runs.append(RatingRun.objects.create(year=year, organisation_type=type_, parameters={}, engine_version="1",
                                             status=status, published_at=published_at, withdrawn_at=withdrawn_at))
    return runs


@pytest.mark.parametrize("twins", TWINS)
def test_every_sql_rule_agrees_with_its_python_twin(every_state, twins):
    in_sql, in_python = TWINS[twins]
    for at in MOMENTS[1:]:
        chosen = set(in_sql(RatingRun.objects.all(), at).values_list("pk", flat=True))
        assert chosen == {run.pk for run in every_state if in_python(run, at)}, at
        assert chosen and len(chosen) < len(every_state)  # the rule tells runs apart


def test_what_the_workflow_may_do_with_each_status():
    allowed = {status: (RatingRun(status=status, published_at=NOW).can_publish,
                        RatingRun(status=status, published_at=NOW).can_withdraw) for status in RatingRun.Status.values}
    assert allowed == {"draft": (True, False), "scheduled": (True, True), "published": (False, True),
                       "superseded": (False, False), "withdrawn": (False, False)}
