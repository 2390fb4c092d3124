"""Pictures the bot sends: wheel charts (`charts`, drawn in a helper process) and QR codes."""
