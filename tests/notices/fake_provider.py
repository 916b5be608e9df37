"""A fake Tencent Cloud SMS on 127.0.0.1 (a random port, a thread): enough of the real API for the
real SDK to talk to it (fundportal.notices.tencent).

It checks what Tencent checks first — the TC3-HMAC-SHA256 signature over the JSON body, the
action, the version — and answers SendSms as the real one does (https://cloud.tencent.com/document/api/382/55981):
an API error in Response.Error, or one status per number in Response.SendStatusSet. Each request
takes the next of `answers` (then "success"):

    success            every number "Ok", with a serial number
    throttled          the number refused: LimitExceeded.PhoneNumberThirtySecondLimit
    rate_limited       the call refused: RequestLimitExceeded
    template_rejected  the call refused: FailedOperation.TemplateIncorrectOrUnapproved
    invalid_number     the number refused: InvalidParameterValue.IncorrectPhoneNumber
    server_error       a 502 from the gateway, HTML
    timeout            accepted and delivered, but answered only after `slow_seconds`
    hang               accepted, never answered (until the fake stops)

`requests` keeps every request that passed the signature check, in order: what was "sent".
"""
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID = "AKIDfakeFundPortal0000000000000000"
SECRET_KEY = "fake-secret-key-for-the-tests"
SDK_APP_ID = "1400000000"
SIGN_NAME = "共富基金"
ERRORS = {
    "rate_limited": ("RequestLimitExceeded", "请求的次数超过了频率限制。"),
    "template_rejected": ("FailedOperation.TemplateIncorrectOrUnapproved",
                          "template is not approved or request content does not match the approved template content"),
}
NUMBER_REFUSALS = {
    "throttled": ("LimitExceeded.PhoneNumberThirtySecondLimit",
                  "the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit"),
    "invalid_number": ("InvalidParameterValue.IncorrectPhoneNumber", "incorrect phone number"),
}


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(*, secret_key: str, headers, body: bytes) -> str:
    """The signature Tencent's API gateway expects (its "签名方法 v3" document), from the request."""
    timestamp = headers["X-TC-Timestamp"]
    date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
    canonical = "\n".join(["POST", "/", "", f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
                           "content-type;host", hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, f"{date}/sms/tc3_request",
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms:
    def __init__(self, *, secret_key: str = SECRET_KEY, slow_seconds: float = 3.0):
        self.secret_key, self.slow_seconds = secret_key, slow_seconds
        self.answers: list[str] = []
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._handle(self)

            def log_message(self, *args):  # the test's output stays quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeTencentSms":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------------------ the API

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        problem = self._refusal(handler.headers, body)
        if problem:
            return self._reply(handler, {"Error": {"Code": problem[0], "Message": problem[1]}})
        request = json.loads(body)
        with self._lock:
            self.requests.append(request)
            answer = self.answers.pop(0) if self.answers else "success"
        if answer == "server_error":
            return self._reply(handler, None, status=502)
        if answer == "hang":
            self._stopping.wait(600)
            return
        if answer == "timeout":
            self._stopping.wait(self.slow_seconds)
        if answer in ERRORS:
            code, message = ERRORS[answer]
            return self._reply(handler, {"Error": {"Code": code, "Message": message}})
        code, message = NUMBER_REFUSALS.get(answer, ("Ok", "send success"))
        statuses = [{"SerialNo": f"2645:{uuid.uuid4().int % 10 ** 12}" if code == "Ok" else "", "PhoneNumber": phone,
                     "Fee": 1 if code == "Ok" else 0, "SessionContext": request.get("SessionContext", ""),
                     "Code": code, "Message": message, "IsoCode": "CN"}
                    for phone in request["PhoneNumberSet"]]
        return self._reply(handler, {"SendStatusSet": statuses})

    def _refusal(self, headers, body: bytes) -> tuple[str, str] | None:
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return "InvalidAction", "接口不存在。"
        authorization = headers.get("Authorization", "")
        if not authorization.startswith("TC3-HMAC-SHA256 ") or f"Credential={SECRET_ID}/" not in authorization:
            return "AuthFailure.SecretIdNotFound", "密钥不存在。"
        if abs(time.time() - int(headers.get("X-TC-Timestamp", 0))) > 300:
            return "AuthFailure.SignatureExpire", "签名过期。"
        given = authorization.rsplit("Signature=", 1)[-1]
        if not hmac.compare_digest(given, tc3_signature(secret_key=self.secret_key, headers=headers, body=body)):
            return "AuthFailure.SignatureFailure", "签名错误。"
        return None

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, response: dict | None, *, status: int = 200) -> None:
        if response is None:
            content, content_type = b"<html><body>502 Bad Gateway</body></html>", "text/html"
        else:
            response["RequestId"] = str(uuid.uuid4())
            content, content_type = json.dumps({"Response": response}).encode(), "application/json"
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            handler.wfile.write(content)
        except OSError:  # the client gave up (its timeout, or it was killed)
            pass
