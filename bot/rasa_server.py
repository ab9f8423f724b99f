"""Runs Rasa's command line with action-server replies checked by a JSON-schema validator built once.

Rasa 3.6 checks every action server reply with `jsonschema.validate`, which first re-checks the
reply schema itself against the JSON-schema meta-schema: about 23 ms of one core per custom
action, close to half of the server's time under load. The same schema, the same checks and
the same error are kept; only the schema's self-check moves to start-up.
Usage: `python -m bot.rasa_server run ...` wherever `rasa run ...` would be used.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def reply_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator built once."""
    error = jsonschema.exceptions.best_match(reply_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install()
    reply_validator()
    rasa_main()


if __name__ == "__main__":
    main()
