"""The points a discussion with the Service Manager covers (Framework 2.81), shared by the form, the summary and the
export."""

from __future__ import annotations

# (key, label): the key names a column of discussion_records, the label is the Framework's own wording.
POINTS: tuple[tuple[str, str], ...] = (
    ("nature_of_concerns", "The nature of the concerns, including what the issues are"),
    ("level_of_risk", "The (immediate, recent or previous) level of risk identified"),
    ("where_child_is_now", "Where the child is now"),
    ("what_family_told", "What the family has been told"),
    ("referral_needed", "Whether there is a need to make a referral to Local Authority Children's Social Care"),
    (
        "referral_grounds",
        "Either because the child and family may be in need of services or because the child "
        "is, or may be at risk of suffering significant harm",
    ),
    (
        "other_children",
        "Whether there are other children either in the household or known to the family about "
        "whom there are concerns and a possible need for referral",
    ),
    (
        "views_of_parties",
        "Whether there is a need to seek the views of any parties to the proceedings before making a referral",
    ),
    ("court_notification", "How and when the Court should be notified of a referral"),
    ("action_and_timescale", "Who will take any necessary action and within what timescale"),
    ("information_shared", "What information should be shared with the child and family"),
    ("future_work", "The implications for future work with the child and family"),
)

# Points answered by one of a fixed set of values: stored value -> how it is shown.
CHOICES: dict[str, dict[str, str]] = {
    "level_of_risk": {"immediate": "Immediate", "recent": "Recent", "previous": "Previous"},
    "referral_grounds": {
        "services": "The child and family may be in need of services",
        "significant_harm": "The child is, or may be at risk of suffering significant harm",
    },
}

NOT_DISCUSSED = "Not discussed"
POINT_KEYS = tuple(key for key, _ in POINTS)
LABELS = dict(POINTS)


def shown(key: str, value: str | None) -> str:
    """How a stored answer to a point reads in a summary or export."""
    if value is None:
        return NOT_DISCUSSED
    return CHOICES.get(key, {}).get(value, value)
