"""Kindred's logs: one JSON object per line in production (KINDRED_LOG_FORMAT=json), lines for a person
at a terminal otherwise, each with the id of the request and the GraphQL operation it was logged in.

The request id and the operation are context variables, set by web/observe.py and the schema's
RecordOperation extension; a task started inside a request (a DataLoader's batch) inherits them. No
record carries a user's id, email or token: what a log line says about a request is its id, method,
path (without its query string, which may hold a download token), status and duration."""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

REQUEST_ID: ContextVar[str | None] = ContextVar("kindred_request_id", default=None)
OPERATION: ContextVar[str | None] = ContextVar("kindred_operation", default=None)

LogFormat = Literal["auto", "json", "text"]
_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# What a LogRecord holds of its own; anything else was passed as `extra=` and goes into the JSON.
# (uvicorn adds `color_message`, its message with terminal colours.)
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "operation",
    "color_message",
}


class _WithContext(logging.Filter):
    """Gives every record the request id and operation of the context it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        record.operation = OPERATION.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id not in (None, "-"):
            entry["request_id"] = request_id
        operation = getattr(record, "operation", None)
        if operation:
            entry["operation"] = operation
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def resolved(log_format: LogFormat) -> Literal["json", "text"]:
    """`auto`: JSON unless a person is reading (stderr is a terminal), as under systemd or Kubernetes."""
    if log_format == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return log_format


def handler(log_format: LogFormat, stream: Any = None) -> logging.Handler:
    """A handler writing records in the format asked for, with their request id and operation."""
    made = logging.StreamHandler(stream if stream is not None else sys.stderr)
    made.addFilter(_WithContext())
    if resolved(log_format) == "json":
        made.setFormatter(JsonFormatter())
    else:
        made.setFormatter(logging.Formatter(_TEXT))
    return made


def configure(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Sends every logger's records (uvicorn's included) to stderr in the format asked for."""
    root = logging.getLogger()
    root.handlers[:] = [handler(log_format)]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []  # theirs would print each line a second time
        logging.getLogger(name).propagate = True
