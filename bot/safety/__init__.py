"""Danger detection and escalation."""
