policy = "read"
