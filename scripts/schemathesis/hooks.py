"""Schemathesis hooks for the sandbox run (loaded through SCHEMATHESIS_HOOKS).

The vendor apikey is the bearer token of every vendor-scoped operation. The auth
provider registers one vendor (with the subscription key from the environment) and
sends its apikey; when the run itself calls regenerateApiKey, the old apikey stops
working at once (as documented), so the answer's new apikey replaces it.
"""

import json
import os
import urllib.request

import schemathesis

BASE_URL = os.environ["SSP_BASE_URL"]
SUBSCRIPTION_KEY = os.environ["SSP_SUBSCRIPTION_KEY"]
_current = {"apikey": None}


def _register():
    request = urllib.request.Request(
        BASE_URL + "/vendorregistration",
        data=json.dumps({"providerName": "Schemathesis run"}).encode(),
        headers={"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["apikey"]


@schemathesis.auth(refresh_interval=None)
class VendorApiKey:
    def get(self, case, context):
        if _current["apikey"] is None:
            _current["apikey"] = _register()
        return _current["apikey"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def after_call(context, case, response):
    if case.operation.definition.raw.get("operationId") == "regenerateApiKey" and response.status_code == 200:
        try:
            _current["apikey"] = response.json()["apikey"]
        except (ValueError, KeyError, TypeError):
            pass
