"""Work done later, from rows in the database: the job clock and its claims (`clock`,
`claims`), the heartbeat (`health`), and the outbox (`outbox`, paced by `pacing`, with its
e-mail transport `email`)."""
