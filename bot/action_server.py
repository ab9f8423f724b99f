"""Starts the rasa-sdk action server on the configured interface only (`rasa run actions` binds 0.0.0.0)."""

import sys

# Nothing here uses TensorFlow, but spaCy's thinc imports it whenever it is installed (it is, for
# Rasa): about 500 MB of the action server's memory. Marked absent, thinc goes without it.
sys.modules.setdefault("tensorflow", None)

from rasa_sdk.endpoint import create_app  # noqa: E402

from bot.settings import load_settings  # noqa: E402


def warm_up() -> None:
    """Load and validate all knowledge before the first message, so a bad data file stops start-up."""
    from knowledge.answers import load_jargon
    from knowledge.currency import load_currency
    from knowledge.offence_schedule import lookup
    from knowledge.passages import passage_ranker
    from knowledge.police_check import load_police_check
    from knowledge.referral import load_referral
    from knowledge.s120_pathway import load_pathway
    from knowledge.screening import load_screening
    from knowledge.search import framework_index
    from knowledge.serious_case_review import load_serious_case_review
    from knowledge.staff_allegations import load_staff_allegations
    from knowledge.topics import load_topics

    load_topics()
    load_jargon()
    load_currency()
    for load_decision in (
        load_pathway,
        load_police_check,
        load_referral,
        load_screening,
        load_serious_case_review,
        load_staff_allegations,
    ):
        load_decision()
    framework_index()
    passage_ranker()
    lookup("assault")


def main() -> None:
    settings = load_settings()
    warm_up()
    app = create_app("actions", cors_origins=None)
    app.run(host=settings.action_host, port=settings.action_port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
