"""Media content parts in a request: refused when malformed, as OpenRouter does, and described for `echo`.

Two layers reject, as on the real service. OpenRouter's schema validation (Zod) refuses a part without a
required field or with a value outside its enum (`input_image` without `detail`, audio that is not wav or
mp3): 400 `invalid_prompt` "Invalid Responses API request" with the issues in `metadata.raw`. The provider
refuses content it cannot read (base64 that does not decode, an "image" whose bytes are no image): OpenRouter
passes that on as 400 "Provider returned error" with the provider's message in `metadata.raw`.
"""

from __future__ import annotations

import json
from typing import Any

from ..wire._media import MEDIA_PART_TYPES, human_size, parse_data_url, sniff_mime
from ._outcomes import Failure, invalid_prompt

__all__ = ["check_media", "describe_media"]

_DETAILS = ["auto", "high", "low", "original"]
_AUDIO_FORMATS = ["mp3", "wav"]
_AUDIO_MIME = {"mp3": "audio/mpeg", "wav": "audio/wav"}
_NOUNS = {
    "input_image": ("image", "images"),
    "input_file": ("file", "files"),
    "input_audio": ("audio clip", "audio clips"),
    "input_video": ("video", "videos"),
}


def check_media(items: list[dict[str, Any]]) -> None:
    """Raise OpenRouter's 400 when a media part is malformed (every schema issue listed) or unreadable."""
    issues: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for i, j, part in _media_parts(items):
        path: list[Any] = ["input", i, "content", j]
        found = _schema_issues(part, path)
        issues.extend(found)
        problem = None if found else _content_problem(part)
        if problem:
            unreadable.append(problem)
    if issues:
        raise invalid_prompt("Invalid Responses API request", {"raw": json.dumps(issues, indent=2)})
    if unreadable:
        raw = json.dumps({"error": {"message": unreadable[0], "type": "invalid_request_error"}})
        raise Failure(400, {"error": {"code": 400, "message": "Provider returned error", "metadata": {"raw": raw}}})


def describe_media(item: dict[str, Any]) -> str:
    """What a message carries besides text, e.g. `1 image (image/png, 12 KB), 1 file (r.pdf, application/pdf,
    3 KB)`; empty when it carries none."""
    groups: dict[str, list[str]] = {}
    content = item.get("content")
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and part.get("type") in MEDIA_PART_TYPES:
            groups.setdefault(part["type"], []).append(_describe(part))
    out = []
    for kind, descriptions in groups.items():
        one, many = _NOUNS[kind]
        out.append(f"{len(descriptions)} {one if len(descriptions) == 1 else many} ({'; '.join(descriptions)})")
    return ", ".join(out)


def _media_parts(items: list[dict[str, Any]]) -> list[tuple[int, int, dict[str, Any]]]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    for i, item in enumerate(items):
        content = item.get("content")
        if item.get("type", "message") != "message" or not isinstance(content, list):
            continue
        found.extend(
            (i, j, p) for j, p in enumerate(content) if isinstance(p, dict) and p.get("type") in MEDIA_PART_TYPES
        )
    return found


def _schema_issues(part: dict[str, Any], path: list[Any]) -> list[dict[str, Any]]:
    kind = part["type"]
    if kind == "input_image":
        issues = _enum_issue(part.get("detail"), _DETAILS, [*path, "detail"])
        if part.get("image_url") is not None and not isinstance(part.get("image_url"), str):
            issues.append(_type_issue("string", [*path, "image_url"]))
        return issues
    if kind == "input_file":
        return [
            _type_issue("string", [*path, key])
            for key in ("file_data", "file_url", "filename")
            if key in part and not isinstance(part[key], str)
        ]
    if kind == "input_audio":
        audio = part.get("input_audio")
        if not isinstance(audio, dict):
            return [_type_issue("object", [*path, "input_audio"])]
        issues = _enum_issue(audio.get("format"), _AUDIO_FORMATS, [*path, "input_audio", "format"])
        if not isinstance(audio.get("data"), str):
            issues.append(_type_issue("string", [*path, "input_audio", "data"]))
        return issues
    return [] if isinstance(part.get("video_url"), str) else [_type_issue("string", [*path, "video_url"])]


def _enum_issue(value: Any, allowed: list[str], path: list[Any]) -> list[dict[str, Any]]:
    if value in allowed:
        return []
    options = "|".join(f'"{option}"' for option in allowed)
    return [
        {
            "code": "invalid_value",
            "values": allowed,
            "path": path,
            "message": f"Invalid option: expected one of {options}",
        }
    ]


def _type_issue(expected: str, path: list[Any]) -> dict[str, Any]:
    return {
        "code": "invalid_type",
        "expected": expected,
        "path": path,
        "message": f"Invalid input: expected {expected}",
    }


def _content_problem(part: dict[str, Any]) -> str | None:
    """What a provider says about content it cannot read; None when the part is readable (or a URL)."""
    kind = part["type"]
    if kind == "input_file" and not any(part.get(key) for key in ("file_data", "file_url", "file_id")):
        return "Missing file data: send file_data, file_url or file_id."
    source = _source(part)
    if not source.startswith("data:"):
        return None
    parsed = parse_data_url(source)
    if parsed is None or not parsed[1]:
        return f"Invalid base64 data in {kind}: expected data:<type>;base64,<data>."
    family = {"input_image": "image/", "input_video": "video/"}.get(kind)
    shown = sniff_mime(parsed[1])
    noun = kind.removeprefix("input_")
    if family and not (shown or "").startswith(family):
        return f"The {noun} data you provided does not represent a valid {noun} ({shown or 'unknown content'})."
    return None


def _source(part: dict[str, Any]) -> str:
    """The part's content as a data URL, or the URL (or file id) the provider would fetch."""
    kind = part["type"]
    if kind == "input_audio":
        return f"data:{_AUDIO_MIME[part['input_audio']['format']]};base64,{part['input_audio']['data']}"
    if kind == "input_file":
        data = part.get("file_data")
        if data and not data.startswith("data:"):
            return f"data:application/octet-stream;base64,{data}"  # bare base64, as some clients send it
        return str(data or part.get("file_url") or part.get("file_id"))
    return str(part.get("image_url" if kind == "input_image" else "video_url"))


def _describe(part: dict[str, Any]) -> str:
    source = _source(part)
    name = f"{part['filename']}, " if part["type"] == "input_file" and part.get("filename") else ""
    parsed = parse_data_url(source)
    if parsed is None:
        return f"{name}{source if len(source) <= 80 else source[:77] + '...'}"
    return f"{name}{parsed[0]}, {human_size(len(parsed[1]))}"
