"""`b2connect demo`: a scripted end-to-end run against fake partners on 127.0.0.1."""
