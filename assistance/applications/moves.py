"""The one writer of an application's state: every stage (the clerk's submission, the review's
decision, the council's signed resolution, the bank's result) moves applications here, as
Application.MOVES allows, through fundportal.states.

Imported by the later stages (review, council, payouts) without importing this stage's services,
which themselves use the review's.
"""
from django.db.models import QuerySet

from fundportal.states import state_create, states_move

from .models import Application


def application_create(*, acting_user, reason: str, **fields) -> Application:
    """A new application, under review or ready for costing (the only states one starts in)."""
    return state_create(Application, acting_user=acting_user, reason=reason, **fields)


def applications_move(applications: QuerySet, to: str, *, reason: str, acting_user=None) -> list[int]:
    """Move the applications of `applications` not yet in `to` there: locked in one query (id
    order, as signing and paying lock them), one UPDATE, one history row each with `reason`;
    refused whole (ValidationError) if one of them may not move so. Returns the ids moved."""
    return states_move(applications.exclude(state=to), to, acting_user=acting_user, reason=reason)
