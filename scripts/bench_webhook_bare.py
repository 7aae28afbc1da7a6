"""The yardstick of `scripts/bench webhook`: a bare Flask app answering /ivr/voice with fixed TwiML.

It does what no webhook can skip (Flask routing, reading the form, building the response) and
nothing else: no signature check, no database. The bench serves it under the same gunicorn
settings as the product and gives it, in BENCH_WEBHOOK_TWIML, the exact bytes the product answered.
"""
from __future__ import annotations

import os

from flask import Flask, Response, request

app = Flask(__name__)
TWIML = os.environ.get("BENCH_WEBHOOK_TWIML", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")


@app.post("/ivr/voice")
def voice():
    if not request.form.get("CallSid"):
        return Response("missing parameter CallSid", status=400, mimetype="text/plain")
    return Response(TWIML, mimetype="text/xml")
