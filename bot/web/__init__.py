"""HTTP plumbing shared by the server, the channels and the console."""
