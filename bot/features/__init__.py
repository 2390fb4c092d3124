"""The feature registry: how a feature is declared, and the tables the router reads."""
