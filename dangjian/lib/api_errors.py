"""The API's one error contract.

Every error the JSON API answers has the body ``{"code": "<stable code>",
"detail": "<中文说明>", …}``; validation errors add ``errors``, a list of
``{"field", "message", "code"}``. `install` sets the handlers on the
NinjaAPI, `document_errors` writes the contract into the OpenAPI document
(every operation lists every error status it can answer), and
`error_response` is what a view returns when it answers an error itself.

Statuses: 400 a body that is not JSON, too large, or a value out of range;
401 no or a bad credential; 403 not allowed (CSRF included); 404 not found;
405 a method the path does not take; 409 a conflict; 422 invalid
parameters; 429 too many requests; 500 a fault, without its internals.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import DataError
from django.forms.utils import ErrorDict
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from pydantic import ConfigDict, Field

from dangjian.lib.text import find_control_chars, has_control_chars

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")

CJK = re.compile(r"[\u3400-\u9fff]")

#: One item of ``errors``: ``{"field", "message", "code"}``.
FieldErrorDict = dict[str, str]
#: A location in the request: ``("query", "limit")``, ``("body", "payload", 0)``.
Loc = tuple[str | int, ...]


class FieldError(Schema):
    field: str = Field(description="出错的参数或字段，如 limit、payload.mobile")
    message: str = Field(description="中文说明")
    code: str = Field(description="稳定的错误代码，如 missing、too_long")


class ErrorOut(Schema):
    """Every error answer of the API."""

    model_config = ConfigDict(extra="allow", title="ErrorOut")

    code: str = Field(description="稳定的错误代码，供程序判断")
    detail: str = Field(description="中文说明，可直接展示给用户")
    errors: list[FieldError] | None = Field(
        None, description="参数校验错误（422）：逐项列出出错的字段"
    )


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={200: ItemOut, **errors(404, 409)}``: the statuses an
    operation answers beyond those every operation may answer (see
    `document_errors`)."""
    return dict.fromkeys(statuses, ErrorOut)


STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def status_code_name(status: int) -> str:
    return STATUS_CODES.get(status, "error")


def _status_details() -> dict[int, str]:
    return {
        400: _("请求无效"),
        401: _("请先登录，或提供有效的访问令牌"),
        403: _("您没有权限进行此操作"),
        404: _("未找到您要的内容"),
        405: _("该地址不支持此请求方法"),
        409: _("操作与当前状态冲突"),
        422: _("请求参数有误"),
        429: _("请求过于频繁，请稍后再试"),
        500: _("服务器错误，请稍后再试"),
        503: _("服务暂时不可用，请稍后再试"),
    }


def status_detail(status: int) -> str:
    return _status_details().get(status, _("请求无效"))


class ApiError(Exception):
    """An error answer raised from anywhere under an API view:
    ``raise ApiError(404, "not_found", _("没有这条学习记录"))``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[FieldErrorDict] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = extra


def error_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[FieldErrorDict] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> JsonResponse:
    """The contract's body as a response, for a view that answers an error itself."""
    body: dict[str, object] = {"code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JsonResponse(
        body,
        status=status,
        headers=headers,
        json_dumps_params={"ensure_ascii": False},
    )


def chinese_or(text: str, default: str) -> str:
    """`text` when it is a Chinese message (ours), else `default`: messages
    from libraries (Django, ninja, pydantic) are English."""
    text = str(text or "")
    return text if CJK.search(text) else default


# --- Field errors ------------------------------------------------------------


def field_errors_from_django(
    error: DjangoValidationError | ErrorDict,
) -> list[FieldErrorDict]:
    """The ``errors`` list of a Django ValidationError or a form's errors."""
    if hasattr(error, "get_json_data"):  # form.errors
        return [
            {"field": field, "message": item["message"], "code": item["code"] or ""}
            for field, items in error.get_json_data().items()
            for item in items
        ]
    if hasattr(error, "error_dict"):
        return [
            {
                "field": field,
                "message": message,
                "code": getattr(e, "code", None) or "invalid",
            }
            for field, items in error.error_dict.items()
            for e in items
            for message in e.messages
        ]
    return [
        {"field": "", "message": message, "code": getattr(error, "code", None) or ""}
        for message in error.messages
    ]


def _pydantic_message(item: Mapping[str, Any]) -> str:
    """A Chinese message for one pydantic error (its ``type`` and ``ctx``)."""
    kind: str = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("应为整数")
    if kind == "int_parsing_size":
        return _("数值超出范围")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("应为数字")
    if kind in ("bool_parsing", "bool_type"):
        return _("应为 true 或 false")
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return _("应为字符串")
    if kind == "string_too_short":
        return _("至少 %(n)s 个字符") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字符") % {"n": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("格式不正确")
    if kind == "greater_than":
        return _("应大于 %(n)s") % {"n": ctx.get("gt")}
    if kind == "greater_than_equal":
        return _("应不小于 %(n)s") % {"n": ctx.get("ge")}
    if kind == "less_than":
        return _("应小于 %(n)s") % {"n": ctx.get("lt")}
    if kind == "less_than_equal":
        return _("应不大于 %(n)s") % {"n": ctx.get("le")}
    if kind in ("literal_error", "enum"):
        return _("取值无效，可选值：%(values)s") % {"values": ctx.get("expected", "")}
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return _("应为对象")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("应为列表")
    if kind == "too_short":
        return _("至少 %(n)s 项") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("不能超过 %(n)s 项") % {"n": ctx.get("max_length")}
    if kind.startswith("date") and "datetime" not in kind:
        return _("应为日期，如 2025-01-31")
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return _("应为日期时间，如 2025-01-31T09:00:00+08:00")
    if kind in ("json_invalid", "json_type"):
        return _("不是有效的 JSON")
    if kind == "extra_forbidden":
        return _("不允许的字段")
    if kind in ("value_error", "assertion_error"):
        return chinese_or(ctx.get("error", ""), _("取值无效"))
    return _("取值无效")


def _field_name(loc: Sequence[str | int]) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "payload", "rating")``
    → ``rating`` (the body parameter's own name says nothing to a client)."""
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "")


def field_errors_from_pydantic(
    items: Sequence[Mapping[str, Any]],
) -> list[FieldErrorDict]:
    return [
        {
            "field": _field_name(item.get("loc", ())),
            "message": _pydantic_message(item),
            "code": item.get("type", "invalid"),
        }
        for item in items
    ]


def invalid_response(
    items: list[FieldErrorDict], code: str = "invalid"
) -> JsonResponse:
    """422 with the fields in error named, in Chinese."""
    shown = [
        f"{e['field']}：{e['message']}" if e["field"] else e["message"]
        for e in items[:3]
    ]
    detail = _("请求参数有误：%(errors)s") % {"errors": "；".join(shown)}
    if len(items) > 3:
        detail += _("（共 %(n)d 项）") % {"n": len(items)}
    return error_response(422, code, detail, errors=items)


# --- Control characters --------------------------------------------------------


class ControlCharacters(Exception):
    """A string input holds a control character (NUL among them)."""

    def __init__(self, loc: Loc) -> None:
        super().__init__(loc)
        self.loc = loc


def control_chars_response(loc: Loc) -> JsonResponse:
    message = _("含有不可见的控制字符（如 NUL），请删除后重试")
    return invalid_response(
        [{"field": _field_name(loc), "message": message, "code": "control_characters"}],
        code="control_characters",
    )


class CleanParser(Parser):
    """Ninja's JSON parser, refusing control characters in every string of
    the query, the form and the body, so that none reaches a model or a log."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        where = find_control_chars(data)
        if where is not None:
            raise ControlCharacters(("body", "payload", *where))
        return cast(dict[str, Any], data)  # as ninja's own parser

    def parse_querydict(
        self,
        data: MultiValueDict[str, Any],
        list_fields: list[str],
        request: HttpRequest,
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if has_control_chars(key):
                raise ControlCharacters(("query", key))
            for value in values:
                if isinstance(value, str) and has_control_chars(value):
                    raise ControlCharacters(("query", key))
        return super().parse_querydict(data, list_fields, request)


# --- Handlers -------------------------------------------------------------------


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(
        exc.status,
        exc.code,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return invalid_response(field_errors_from_pydantic(exc.errors))


def _django_validation_error(
    request: HttpRequest, exc: DjangoValidationError
) -> HttpResponse:
    items = field_errors_from_django(exc)
    return error_response(
        422,
        "invalid",
        "；".join(exc.messages) or status_detail(422),
        errors=items,
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, ControlCharacters):
        return control_chars_response(cause.loc)
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    if isinstance(cause, ValueError):  # ninja: "Cannot parse request body"
        return error_response(400, "bad_json", _("请求体不是有效的 JSON"))
    status = exc.status_code
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.wait)} if exc.wait else None
        return error_response(429, "throttled", status_detail(429), headers=headers)
    if isinstance(exc, AuthenticationError) or status == 401:
        return error_response(
            401,
            "not_authenticated",
            chinese_or(exc.message, status_detail(401)),
            headers={"WWW-Authenticate": "Bearer"},
        )
    if status == 403 and "CSRF" in exc.message:
        return error_response(
            403, "csrf_failed", _("页面已过期或缺少安全令牌（CSRF），请刷新后重试")
        )
    return error_response(
        status, status_code_name(status), chinese_or(exc.message, status_detail(status))
    )


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        400, "too_large", _("提交的内容过大，请减少内容或分批提交后重试")
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", chinese_or(str(exc), status_detail(404)))


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "forbidden", chinese_or(str(exc), status_detail(403)))


def _control_chars(request: HttpRequest, exc: ControlCharacters) -> HttpResponse:
    return control_chars_response(exc.loc)


def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A number too large for the database (SQLite raises OverflowError), or a
    # value the database refuses (PostgreSQL: DataError).
    return error_response(
        400, "out_of_range", _("请求中的数值超出范围，或含有无法保存的内容")
    )


def _suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(400, "bad_request", status_detail(400))


def server_error_response() -> JsonResponse:
    return error_response(500, "server_error", status_detail(500))


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # What Django does for an uncaught exception (log it, tell receivers such
    # as the test client), answered in the contract, without internals.
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    got_request_exception.send(sender=None, request=request)
    return server_error_response()


def install(api: NinjaAPI) -> None:
    """Sets the contract's exception handlers on `api`."""
    # ninja types a handler's argument as "the exception or its class"; it is
    # always given the instance, so the handlers take the instance.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (Exception, _server_error),
        (ApiError, _api_error),
        (ValidationError, _validation_error),
        (DjangoValidationError, _django_validation_error),
        (HttpError, _http_error),
        (Http404, _not_found),
        (PermissionDenied, _permission_denied),
        (RequestDataTooBig, _too_big),
        (SuspiciousOperation, _suspicious),
        (ControlCharacters, _control_chars),
        (OverflowError, _out_of_range),
        (DataError, _out_of_range),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


View = Callable[..., HttpResponseBase]


def wrap_view(view: View) -> View:
    """An API view in the contract's clothes: a method the path does not take
    answers 405 in the contract, and a path parameter holding a control
    character answers 422 before any operation sees it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        for name, value in kwargs.items():
            if isinstance(value, str) and has_control_chars(value):
                return control_chars_response(("path", name))
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return error_response(
                405,
                "method_not_allowed",
                status_detail(405),
                headers={"Allow": allowed},
            )
        return response

    return wrapped


@csrf_exempt
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Every address under /api/ that no operation has."""
    return error_response(404, "not_found", status_detail(404))


# --- The OpenAPI document ------------------------------------------------------------

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def statuses_every_operation_may_answer(operation: Mapping[str, Any]) -> set[int]:
    """The error statuses an operation answers whatever its code does:

    * 401: a bad bearer token is refused on every path (BearerTokenMiddleware);
    * 500: a fault;
    * 422: invalid parameters or body, when it takes any;
    * 400: a body that is not JSON or too large, when it takes one;
    * 404: nothing at the address, when the path has a parameter;
    * 403: an authenticated operation refuses a session without CSRF token.
    """
    statuses = {401, 500}
    parameters = operation.get("parameters") or []
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if any(requirement for requirement in operation.get("security") or []):
        statuses.add(403)
    return statuses


Schema_ = TypeVar("Schema_", bound=dict[str, Any])


def document_errors(schema: Schema_) -> Schema_:
    """Writes the contract into an OpenAPI document: the ErrorOut schema and,
    for every operation, every error status it can answer with that schema."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorOut"] = error_schema
    details = _status_details()
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            declared = {int(s) for s in responses if str(s).isdigit()}
            statuses = {s for s in declared if s >= 400}
            statuses |= statuses_every_operation_may_answer(operation)
            for status in sorted(statuses):
                responses[status] = {
                    "description": details.get(status, status_detail(status)),
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
            operation["responses"] = dict(
                sorted(responses.items(), key=lambda item: int(item[0]))
            )
    return schema
