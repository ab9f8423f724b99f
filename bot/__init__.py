"""The running service around Rasa: settings, stores, channels and the command line."""
