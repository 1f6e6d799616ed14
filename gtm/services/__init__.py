"""Domain operations. They take ids and values, own their transactions and never read the request."""
