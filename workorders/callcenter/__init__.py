"""The call centre's domain (issue #17): staffing schedule, agent presence, the agents' queue.

No Flask, no Twilio here: `ivr/` turns these decisions into TwiML and REST requests.
"""
