"""What workers do through the bot. One module per feature, each a `WorkerFeature`."""
