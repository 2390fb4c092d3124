"""What the bot keeps about people: who they are and their invites (`people`), their
conversation (`conversation_record`), module progress and safety plans. Plain reads and writes
in the caller's transaction."""
