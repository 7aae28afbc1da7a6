"""The citizen side of the hotline (SPEC §8): leader mailboxes, querying one's own order with its
access code, public replies and their ratings, and the Open311 requests that outside apps file.

Nothing here knows about the web: the portal and the Open311 blueprint in `hotline/`, and the IVR
keypad query in `ivr/`, call these functions with a session and the time.
"""
