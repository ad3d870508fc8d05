"""The way users keep Schwab tokens alive before this project (the bench's "seeds' way" row).

A hand-rolled script as found in trading-bot repositories: read the token JSON from AWS Secrets Manager, refresh the
access token at Schwab's token endpoint with `requests`, and put the new JSON back with `boto3`. No compare-and-set,
no GitHub secret, no alert issue, no retries. `npm run bench` runs it against the same loopback Schwab fake and
moto_server as the action, from the environment:

  SCHWAB_BASE_URL, SCHWAB_APP_KEY, SCHWAB_APP_SECRET, SECRET_ID, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION, …

When `requests` is not installed it falls back to the standard library's urllib (and says so on stderr).
"""
import base64
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import boto3

try:
    import requests
except ImportError:  # pragma: no cover - depends on the machine
    requests = None
    import urllib.parse
    import urllib.request

    print("requests is not installed: using urllib", file=sys.stderr)


def post_form(url, data, auth):
    if requests is not None:
        response = requests.post(url, data=data, auth=auth, headers={"Accept": "application/json"}, timeout=15)
        response.raise_for_status()
        return response.json()
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Authorization": f"Basic {token}", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def main():
    client = boto3.client("secretsmanager")
    secret_id = os.environ["SECRET_ID"]
    record = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    answer = post_form(
        os.environ["SCHWAB_BASE_URL"].rstrip("/") + "/v1/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": record["refresh_token"]},
        (os.environ["SCHWAB_APP_KEY"], os.environ["SCHWAB_APP_SECRET"]),
    )
    now = datetime.now(timezone.utc)
    record.update(answer)
    record["expires_at"] = (now + timedelta(seconds=int(answer["expires_in"]))).strftime("%Y-%m-%dT%H:%M:%SZ")
    record["last_refresh"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    record["refresh_count"] = int(record.get("refresh_count", 0)) + 1
    client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(record, separators=(",", ":")))
    print("refreshed")


if __name__ == "__main__":
    main()
