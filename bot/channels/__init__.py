"""The channels practitioners use to reach the assistant: Telegram (a bridge to the REST channel) and Microsoft Teams (a
Rasa input channel)."""


class DeliveryError(Exception):
    """A message could not be delivered to a person on their channel; the message says why."""
