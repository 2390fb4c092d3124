"""Care over time for one young person, used by both sides' features: scheduled check-ins and
their local-time rules (`checkins`, `recurrence`), the outcome wheel and closure (`wellbeing`)."""
