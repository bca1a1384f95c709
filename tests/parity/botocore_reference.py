#!/usr/bin/env python3
"""Record botocore's IVS Chat wire behaviour as fixtures, entirely offline.

Reads tests/parity/cases.json and writes:
  tests/parity/fixtures/requests.json   requests botocore builds and signs
  tests/parity/fixtures/responses.json  how botocore parses canned responses

Nothing leaves the process: a `before-send` handler captures each prepared
request and answers it with a canned response. See README.md.
"""

import datetime
import hashlib
import hmac
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.json"
FIXTURES = HERE / "fixtures"

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
REGION = "us-west-2"
SERVICE = "ivschat"
SIGNING_TIME = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
INVOCATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000000")

# Values substituted for the host-dependent parts of botocore's User-Agent
# (OS, kernel, CPU, Python) so that the fixtures do not depend on the machine.
UA_ENVIRONMENT = {
    "platform_name": "Linux",
    "platform_version": "0",
    "platform_machine": "x86_64",
    "python_version": "3.0.0",
    "python_implementation": "CPython",
    "execution_env": None,
    "crt_version": None,
}


def fail(message):
    print(f"botocore_reference: error: {message}", file=sys.stderr)
    sys.exit(1)


def isolate_environment(tmp):
    """Keep the user's AWS configuration and environment out of the capture."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("_X_AMZN_TRACE_ID", "BOTO_CONFIG"):
            del os.environ[name]
    missing = os.path.join(tmp, "absent")
    os.environ["AWS_CONFIG_FILE"] = missing
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = missing
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def install_determinism():
    """Freeze the signing clock, the invocation id and the User-Agent environment."""
    import botocore.auth
    import botocore.endpoint
    import botocore.useragent

    # SigV4Auth.add_auth reads the clock through this module-level name.
    botocore.auth.get_current_datetime = lambda *args, **kwargs: SIGNING_TIME.replace(tzinfo=None)

    # The endpoint draws amz-sdk-invocation-id from uuid.uuid4(); give it a
    # module namespace whose uuid4 returns a constant.
    class FixedUuid:
        def __getattr__(self, name):
            return getattr(uuid, name)

        @staticmethod
        def uuid4():
            return INVOCATION_ID

    botocore.endpoint.uuid = FixedUuid()

    @classmethod
    def from_environment(cls):
        return cls(**UA_ENVIRONMENT)

    botocore.useragent.UserAgentString.from_environment = from_environment


SIGNING_LOG = {}


def install_signing_capture():
    """Record the canonical request and string to sign that botocore computes."""
    from botocore.auth import SigV4Auth

    original_cr = SigV4Auth.canonical_request
    original_sts = SigV4Auth.string_to_sign

    def canonical_request(self, request):
        value = original_cr(self, request)
        SIGNING_LOG["canonical_request"] = value
        return value

    def string_to_sign(self, request, canonical):
        value = original_sts(self, request, canonical)
        SIGNING_LOG["string_to_sign"] = value
        return value

    SigV4Auth.canonical_request = canonical_request
    SigV4Auth.string_to_sign = string_to_sign


class CannedRaw:
    """The minimal raw-response interface botocore's AWSResponse reads from."""

    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        if self._body:
            yield self._body


def make_client(session, **config):
    from botocore.config import Config

    return session.create_client(
        SERVICE,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        config=Config(**config),
    )


def python_method(client, operation):
    for name, op in client.meta.method_to_api_mapping.items():
        if op == operation:
            return getattr(client, name)
    fail(f"operation {operation!r} is not in botocore's ivschat model")


def text(value):
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def split_url(url):
    prefix = "https://ivschat.us-west-2.amazonaws.com"
    if not url.startswith(prefix):
        fail(f"unexpected endpoint in {url!r}")
    rest = url[len(prefix):]
    path, sep, query = rest.partition("?")
    return path, query, bool(sep)


def signature_of(string_to_sign):
    def sign(key, msg):
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    k = sign(("AWS4" + SECRET_KEY).encode("utf-8"), SIGNING_TIME.strftime("%Y%m%d"))
    k = sign(k, REGION)
    k = sign(k, SERVICE)
    k = sign(k, "aws4_request")
    return hmac.new(k, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def capture_requests(session, cases):
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ParamValidationError

    client = make_client(session)
    captured = {}

    def before_send(request, **kwargs):
        captured["request"] = request
        return AWSResponse(request.url, 200, {"x-amzn-RequestId": "capture"}, CannedRaw(b"{}"))

    client.meta.events.register("before-send", before_send)

    out = []
    for case in cases["requests"]:
        captured.clear()
        SIGNING_LOG.clear()
        call = python_method(client, case["operation"])
        try:
            call(**case["input"])
        except ParamValidationError as err:
            fail(f"request case {case['id']!r}: botocore rejected the input: {err}")
        except Exception as err:  # noqa: BLE001 - any other failure is a broken case
            fail(f"request case {case['id']!r}: {type(err).__name__}: {err}")
        request = captured.get("request")
        if request is None:
            fail(f"request case {case['id']!r}: botocore sent no request")
        headers = {}
        order = []
        for name, value in request.headers.items():
            headers[name.lower()] = text(value)
            order.append(name.lower())
        authorization = headers.get("authorization", "")
        signed = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";") if "SignedHeaders=" in authorization else []
        sts = SIGNING_LOG.get("string_to_sign", "")
        if not authorization.endswith("Signature=" + signature_of(sts)):
            fail(f"request case {case['id']!r}: recorded string to sign does not reproduce the signature")
        path, query, has_separator = split_url(request.url)
        out.append({
            "id": case["id"],
            "operation": case["operation"],
            "method": request.method,
            "url": request.url,
            "path": path,
            "query": query,
            "query_separator": has_separator,
            "headers": headers,
            "header_order": order,
            "body": text(request.body),
            "authorization": authorization,
            "signed_headers": signed,
            "canonical_request": SIGNING_LOG.get("canonical_request", ""),
            "string_to_sign": sts,
        })

    rejected = []
    for case in cases.get("rejected_requests", []):
        captured.clear()
        call = python_method(client, case["operation"])
        try:
            call(**case["input"])
        except ParamValidationError as err:
            rejected.append({
                "id": case["id"],
                "operation": case["operation"],
                "error": "ParamValidationError",
                "message": str(err),
            })
            continue
        fail(f"rejected case {case['id']!r}: botocore accepted the input ({case['reason']})")
    return out, rejected


def iso(value):
    value = value.astimezone(datetime.timezone.utc)
    base = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond % 1000 == 0:
        return f"{base}.{value.microsecond // 1000:03d}Z"
    return f"{base}.{value.microsecond:06d}Z"


def plain(value):
    """Convert botocore's parsed values to JSON: datetimes to RFC 3339 UTC."""
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def parse_responses(session, cases):
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    # Single attempt: the canned errors must not be retried.
    client = make_client(session, retries={"mode": "standard", "total_max_attempts": 1})
    minimal = {}
    for case in cases["requests"]:
        if "_minimal" in case["id"] and case["operation"] not in minimal:
            minimal[case["operation"]] = case["input"]
    current = {}

    def before_send(request, **kwargs):
        r = current["response"]
        return AWSResponse(request.url, r["status"], r["headers"], CannedRaw(r["body"].encode("utf-8")))

    client.meta.events.register("before-send", before_send)

    out = []
    for case in cases["responses"]:
        op = case["operation"]
        if op not in minimal:
            fail(f"response case {case['id']!r}: no '*_minimal*' request case for {op}")
        current["response"] = case["response"]
        record = {"id": case["id"], "operation": op, "response": case["response"], "parsed": None, "error": None}
        try:
            result = python_method(client, op)(**minimal[op])
        except ClientError as err:
            response = err.response
            error = response.get("Error", {})
            fields = {k: plain(v) for k, v in response.items() if k not in ("Error", "ResponseMetadata")}
            extra = {k: v for k, v in error.items() if k not in ("Code", "Message")}
            record["error"] = {
                "kind": "service",
                "code": error.get("Code"),
                "message": error.get("Message"),
                "exception": type(err).__name__,
                "modeled": type(err) is not ClientError,
                "fields": fields,
                "request_id": response.get("ResponseMetadata", {}).get("RequestId"),
                "http_status": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            }
            if extra:
                record["error"]["error_extra"] = extra
        except ResponseParserError as err:
            record["error"] = {"kind": "parser", "exception": type(err).__name__, "message": str(err)}
        except Exception as err:  # noqa: BLE001
            fail(f"response case {case['id']!r}: unexpected {type(err).__name__}: {err}")
        else:
            metadata = result.pop("ResponseMetadata", {})
            parsed = plain(result)
            if "RequestId" in metadata:
                parsed["ResponseMetadata"] = {"RequestId": metadata["RequestId"]}
            record["parsed"] = parsed
        out.append(record)
    return out


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def main():
    # botocore joins the User-Agent feature ids ("m/...") from a set of
    # strings, whose order follows the per-process hash seed: pin the seed.
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]], env)
    try:
        with open(CASES, encoding="utf-8") as f:
            cases = json.load(f)
    except (OSError, ValueError) as err:
        fail(f"cannot read {CASES}: {err}")
    ids = [c["id"] for key in ("requests", "rejected_requests", "responses") for c in cases.get(key, [])]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        fail(f"duplicate case ids: {', '.join(dupes)}")

    with tempfile.TemporaryDirectory() as tmp:
        isolate_environment(tmp)
        try:
            import botocore
            import botocore.session
        except ImportError:
            fail("botocore is not installed; see tests/parity/README.md")
        install_determinism()
        install_signing_capture()
        session = botocore.session.get_session()
        requests, rejected = capture_requests(session, cases)
        responses = parse_responses(session, cases)

    common = {
        "botocore_version": botocore.__version__,
        "region": REGION,
    }
    write_json(FIXTURES / "requests.json", {
        **common,
        "credentials": {
            "access_key_id": ACCESS_KEY,
            "secret_access_key": SECRET_KEY,
            "session_token": SESSION_TOKEN,
        },
        "endpoint": "https://ivschat.us-west-2.amazonaws.com",
        "signing_time": SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ"),
        "invocation_id": str(INVOCATION_ID),
        "cases": requests,
        "rejected_cases": rejected,
    })
    write_json(FIXTURES / "responses.json", {**common, "cases": responses})
    print(f"botocore {botocore.__version__}: {len(requests)} request cases, "
          f"{len(rejected)} rejected cases, {len(responses)} response cases")


if __name__ == "__main__":
    main()
