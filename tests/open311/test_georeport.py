"""Open311 GeoReport v2 against a running xiangzhi, through the `georeport` client library (PyPI).

georeport 0.3.1 reads (services, service definitions, requests) but has no call to submit, so the
submission is the standard's form-encoded POST sent with `requests`, the HTTP library georeport
itself uses. Run by the Rust integration suite (cases.rs), which starts the server and passes:
XZ_BASE, XZ_API_KEY (an account token), XZ_DIVISION (a village in that account's jurisdiction).
"""
import os
import sys

import requests
from georeport import GeoReport

base = os.environ["XZ_BASE"].rstrip("/") + "/open311/v2"
key = os.environ["XZ_API_KEY"]
division = os.environ["XZ_DIVISION"]
client = GeoReport(base, jurisdiction="141029", api_key=key)

services = client.get_service_list()
codes = {s["service_code"] for s in services}
assert "road" in codes, services
assert "neighbour" not in codes, "disputes are not public services"
definition = client.get_service_definition("road")
assert definition["service_code"] == "road", definition

form = {
    "api_key": key,
    "jurisdiction_id": "141029",
    "service_code": "road",
    "description": "村口桥面出现裂缝",
    "address_id": division,
    "lat": "35.9712",
    "long": "110.8405",
    "first_name": "大爷",
    "last_name": "张",
    "attribute[idempotency_key]": "device-42-report-1",
}
first = requests.post(f"{base}/requests.json", data=form)
assert first.status_code == 201, first.text
retry = requests.post(f"{base}/requests.json", data=form)
assert retry.status_code == 200, retry.text
rid = first.json()[0]["service_request_id"]
assert retry.json()[0]["service_request_id"] == rid, "a retry files nothing new"

bad = requests.post(f"{base}/requests.json", data={**form, "api_key": "nope"})
assert bad.status_code == 401, bad.text
outside = requests.post(
    f"{base}/requests.json",
    data={**form, "address_id": "141029101001", "attribute[idempotency_key]": "x"},
)
assert outside.status_code in (400, 404, 422), outside.text

one = client.get_service_request(rid)
assert one["service_request_id"] == rid and one["status"] == "open", one
assert one["service_code"] == "road" and one["lat"] == 35.9712, one
assert "张" not in str(one), "the reporter is not public"
listed = client.get_service_requests(service_code="road", status="open")
assert rid in [r["service_request_id"] for r in listed], listed
assert client.get_service_requests(status="closed") == []
print(f"open311: georeport read {len(services)} services and request {rid}")
sys.exit(0)
