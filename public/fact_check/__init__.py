"""Organisation staff's side of the fact-check window (issue 19): their own
organisation's draft report card, the figures behind it, and their
challenges. Signed in, never cached, never indexed (`middleware`); the admin's
side is in the ratings workflow (`ratings/views.py`)."""
