"""Tencent Cloud SMS (腾讯云短信) through its official SDK, tencentcloud-sdk-python-sms, API 2021-01-11.

    NOTICE_BACKEND=fundportal.notices.tencent.TencentSmsBackend

Settings (README "短信通知 / Notices"): NOTICE_SMS_SECRET_ID / NOTICE_SMS_SECRET_KEY (from the
environment, never logged), NOTICE_SMS_SDK_APP_ID, NOTICE_SMS_SIGN_NAME, NOTICE_TEMPLATE_CODES
(our template code → Tencent's template id), NOTICE_SMS_REGION, NOTICE_SMS_ENDPOINT (a host, or
http://127.0.0.1:port for the tests' fake provider), NOTICE_SMS_TIMEOUT (seconds).

The SDK retries nothing itself (its default retryer is NoopRetryer, its region breaker is off):
the outbox decides what is tried again. Tencent answers in two places, both read here: an API
error (Response.Error.Code: the signature, the template, the credentials, the call rate) and, for
an accepted call, one status per number (Response.SendStatusSet[i].Code: "Ok", or why that number
was refused: a per-number frequency limit, a wrong number, a number on the do-not-disturb list).
"""
import re
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from .backends import REJECTED, RETRY, SENT, UNCERTAIN, Outcome, SmsMessage

REQUIRED = ("NOTICE_SMS_SECRET_ID", "NOTICE_SMS_SECRET_KEY", "NOTICE_SMS_SDK_APP_ID", "NOTICE_SMS_SIGN_NAME")

# Tencent's answer codes, from its error-code pages: SMS sending errors
# https://cloud.tencent.com/document/api/382/59177 (e.g. LimitExceeded.PhoneNumberThirtySecondLimit,
# FailedOperation.TemplateIncorrectOrUnapproved, InvalidParameterValue.IncorrectPhoneNumber,
# FailedOperation.SignatureIncorrectOrUnapproved, InternalError.Timeout "retry solves it"), the
# API's common codes https://cloud.tencent.com/document/api/382/52075 (AuthFailure.*,
# RequestLimitExceeded, InternalError), and the SDK's tencentcloud/sms/v20210111/errorcodes.py.
# The SDK's own codes: ClientNetworkError (the HTTP request failed), ServerNetworkError (an HTTP
# status other than 200: the API itself answers every call it processed with 200).
_RETRY_PREFIXES = ("LimitExceeded.", "RequestLimitExceeded")
_NOT_A_THROTTLE = {"LimitExceeded.PhoneNumberCountLimit",  # more than 200 numbers in one call
                   "LimitExceeded.AppCountryOrRegionInBlacklist"}  # a country the account may not reach
_RETRY_INTERNAL = {"InternalError", "InternalError.Timeout", "InternalError.SendAndRecvFail",
                   "InternalError.OtherError", "InternalError.UnknownError"}
_REJECTED_REASONS = [  # (code or prefix, reason): the first that matches
    (("FailedOperation.TemplateIncorrectOrUnapproved", "FailedOperation.TemplateUnapprovedOrNotExist",
      "FailedOperation.TemplateIdNotExist", "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"),
     "短信模板未审核通过或与服务商登记的模板不符（请核对 NOTICE_TEMPLATE_CODES 和模板参数）"),
    (("FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.MissingSignature",
      "FailedOperation.SignIdNotExist"), "短信签名未审核通过或格式错误（请核对 NOTICE_SMS_SIGN_NAME）"),
    (("InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberParseFail"), "手机号码格式错误"),
    (("FailedOperation.PhoneNumberInBlacklist",), "该号码在免打扰名单中（本人退订或运营商拦截）"),
    (("FailedOperation.ContainSensitiveWord", "InvalidParameter.DirtyWordFound"), "短信内容含敏感词"),
    (("InvalidParameterValue.TemplateParameterFormatError", "InvalidParameterValue.TemplateParameterLengthLimit",
      "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter"),
     "模板参数不符合服务商要求（格式、长度，或参数中含网址）"),
    (("FailedOperation.InsufficientBalanceInSmsPackage",), "短信套餐包余量不足"),
    (("AuthFailure",), "短信服务密钥错误或已停用（请核对 NOTICE_SMS_SECRET_ID / NOTICE_SMS_SECRET_KEY）"),
    (("UnauthorizedOperation", "InvalidParameterValue.SdkAppIdNotExist"),
     "短信应用无权发送（SdkAppId 错误、应用停用、欠费或请求 IP 不在白名单）"),
]


def classify(code: str, detail: str = "", message_id: str = "") -> Outcome:
    """One of Tencent's answer codes (an API error or a number's status) as an Outcome."""
    if code == "Ok":
        return Outcome(SENT, code=code, message_id=message_id, detail=detail)
    if code.startswith(_RETRY_PREFIXES) and code not in _NOT_A_THROTTLE:
        return Outcome(RETRY, "服务商限流（发送过于频繁或超过当日上限）", code, detail=detail)
    if code in _RETRY_INTERNAL:
        return Outcome(RETRY, "服务商内部错误或下发超时，稍后重试", code, detail=detail)
    if code == "ServerNetworkError":
        return Outcome(RETRY, "短信服务暂时不可用（HTTP 错误）", code, detail=detail[:200])
    for codes, reason in _REJECTED_REASONS:
        if code.startswith(codes):
            return Outcome(REJECTED, reason, code, detail=detail)
    return Outcome(REJECTED, "服务商拒绝发送", code, detail=detail)


def _never_reached(exc: TencentCloudSDKException) -> bool:
    """Whether a failed request never reached the provider (no connection was made): only then is
    sending it again safe. The SDK wraps the requests error (ClientNetworkError); it is the context."""
    cause = exc.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(cause, requests.exceptions.ConnectionError) and cause.args:
        return isinstance(getattr(cause.args[0], "reason", None), urllib3.exceptions.NewConnectionError)
    return False


def e164(phone: str) -> str:
    """A mainland mobile number as +86…; anything else as written (already +<country>…)."""
    digits = re.sub(r"[\s-]", "", phone)
    return f"+86{digits}" if re.fullmatch(r"1\d{10}", digits) else digits


class TencentSmsBackend:
    name = "tencent"

    def __init__(self):
        missing = [name for name in REQUIRED if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"Tencent Cloud SMS needs {', '.join(missing)}")
        endpoint = settings.NOTICE_SMS_ENDPOINT
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.timeout = settings.NOTICE_SMS_TIMEOUT
        profile = ClientProfile(httpProfile=HttpProfile(protocol=parts.scheme, endpoint=parts.netloc,
                                                        reqTimeout=self.timeout))
        self.client = sms_client.SmsClient(
            credential.Credential(settings.NOTICE_SMS_SECRET_ID, settings.NOTICE_SMS_SECRET_KEY),
            settings.NOTICE_SMS_REGION, profile)

    def send(self, message: SmsMessage) -> Outcome:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [e164(message.phone)]
        request.SmsSdkAppId = settings.NOTICE_SMS_SDK_APP_ID
        request.SignName = settings.NOTICE_SMS_SIGN_NAME
        request.TemplateId = message.provider_template
        request.TemplateParamSet = [str(value) for value in message.ordered_params]
        request.SessionContext = f"notice-{message.notice_id}"  # echoed back: which outbox row
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            return self._failed(exc)
        statuses = response.SendStatusSet or []
        if not statuses:  # accepted, but no word on the number: it may have gone out
            return Outcome(UNCERTAIN, "服务商未返回该号码的发送结果，可能已经发出", "NoStatus")
        status = statuses[0]
        return classify(status.Code or "", status.Message or "", status.SerialNo or "")

    def _failed(self, exc: TencentCloudSDKException) -> Outcome:
        code, detail = exc.get_code() or "", str(exc.get_message() or "")
        if code == "ClientNetworkError":
            if _never_reached(exc):
                return Outcome(RETRY, "无法连接短信服务，稍后重试", code, detail=detail[:200])
            return self._no_answer(code, detail)
        if exc.__context__ is not None and code == type(exc.__context__).__name__:
            # The SDK names a Python error by its class (ConnectionError, ChunkedEncodingError,
            # JSONDecodeError) when the answer broke off or was not JSON: the request had arrived.
            return self._no_answer(code, detail)
        if code in ("ClientError", "ClientParamsError"):
            return Outcome(REJECTED, "短信服务配置错误", code, detail=detail)
        return classify(code, detail)

    def _no_answer(self, code: str, detail: str) -> Outcome:
        """The request reached the provider and no answer came back (a read timeout, a dropped
        connection): the message may have been delivered, so it is not sent again by itself."""
        reason = (f"短信服务未给出答复（{self.timeout} 秒超时或连接中断），短信可能已经发出："
                  "不自动重发，请核实后再决定是否重新发送")
        return Outcome(UNCERTAIN, reason, code, detail=detail[:200])
