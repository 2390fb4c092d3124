"""The wiring, at the top: the command line (`cli`, `admin`), the processes it starts (`runtime`,
`demo`), the services they are built from (`services`, `catalogue`: the list of features),
settings and logging, and the jobs an operator runs (key rotation, retention). Nothing below
imports from here."""
