"""Input files as data: ``extends:`` chains and validation into typed models.

Both scenario and topology files may say ``extends: base.yaml``: the base is
read first and the file's own keys are merged over it (mappings merge key by
key, lists and scalars replace, ``null`` deletes a key). Every file read is
hashed (SHA-256) so that results can name their exact inputs.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simkz.errors import InputError
from simkz.yamlio import read_yaml

__all__ = [
    "InputDocument",
    "NonNegative",
    "Positive",
    "Share",
    "StrictModel",
    "json_schema",
    "merge",
    "read_document",
    "validate_model",
]

M = TypeVar("M", bound=BaseModel)
MAX_EXTENDS_DEPTH = 10

#: A share or probability, 0-1 (finite).
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
#: A finite number above 0.
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
#: A finite number at or above 0.
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class StrictModel(BaseModel):
    """Base of every file schema: unknown keys are errors, values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class InputDocument:
    """A YAML document with its ``extends:`` chain merged in.

    ``files`` lists every file read, the document's own first, each with its SHA-256.
    """

    path: Path
    data: dict[str, Any]
    files: tuple[tuple[Path, str], ...] = field(default=())


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into ``base``: mappings recursively, anything else replaced, ``None`` deletes."""
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_document(path: Path, *, _chain: tuple[Path, ...] = ()) -> InputDocument:
    """Read ``path`` and the files it extends; raise :class:`InputError` on a bad chain."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise InputError(path, ("extends",), f"extends cycle {cycle}", allowed="a chain without cycles")
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(path, ("extends",), "extends chain too long", allowed=f"at most {MAX_EXTENDS_DEPTH} files")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(
            path, (), "the file must hold a mapping of keys", value=type(raw).__name__, allowed="a YAML mapping"
        )
    files: tuple[tuple[Path, str], ...] = ((path, _sha256(path)),)
    base_ref = raw.get("extends")
    if base_ref is None:
        return InputDocument(path, dict(raw), files)
    if not isinstance(base_ref, str):
        raise InputError(
            path, ("extends",), "extends names one file", value=base_ref, allowed="a path relative to this file"
        )
    base_path = path.parent / base_ref
    if not base_path.is_file():
        raise InputError(
            path, ("extends",), "the base file does not exist", value=base_ref, allowed="a path relative to this file"
        )
    base = read_document(base_path, _chain=(*_chain, resolved))
    own = {k: v for k, v in raw.items() if k != "extends"}
    merged = merge(_rebase_paths(base.data, base_path.parent, path.parent), own)
    return InputDocument(path, merged, files + base.files)


_PATH_KEYS = ("topology", "costs")


def _rebase_paths(data: dict[str, Any], base_dir: Path, own_dir: Path) -> dict[str, Any]:
    """Paths in a base file are relative to the base; rewrite them relative to the extending file."""
    out = dict(data)
    for key in _PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and (value.endswith((".yaml", ".yml")) or "/" in value):
            target = (base_dir / value).resolve()
            try:
                out[key] = str(target.relative_to(own_dir.resolve()))
            except ValueError:
                out[key] = str(target)
    return out


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a file format, with its title."""
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def validate_model(model: type[M], data: Any, file: Path | str | None) -> M:
    """Validate ``data`` against ``model``; turn the first failure into a one-line :class:`InputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _to_input_error(model, exc, file) from None


def _to_input_error(model: type[BaseModel], exc: ValidationError, file: Path | str | None) -> InputError:
    errors = exc.errors(include_url=False)
    # Prefer the most specific complaint: unknown keys first, then the deepest path.
    errors.sort(key=lambda e: (e["type"] != "extra_forbidden", -len(e["loc"])))
    err = errors[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and _is_union_tag(p)))
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        return InputError(file, loc, f"unknown key {loc[-1]!r}", allowed=allowed)
    if kind == "missing":
        return InputError(file, loc, "required key is missing")
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    ctx = err.get("ctx") or {}
    allowed_text: str | None = None
    if "expected" in ctx:
        allowed_text = str(ctx["expected"])
    return InputError(file, loc, message, value=err.get("input"), allowed=allowed_text)


def _is_union_tag(part: str) -> bool:
    # pydantic puts the chosen member of a union in the path (e.g. "list[str]", "function-after[...]")
    return "[" in part or part in {"str", "int", "float", "bool"}


def _allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys a mapping at ``loc`` inside ``model`` accepts (its field names and aliases)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap_model(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _unwrap_model(arg)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        return None
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(tp)[0])
    return tp


def _step(tp: Any, part: str | int) -> Any:
    tp = _unwrap_container_union(tp, part)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if isinstance(part, str):
            for name, info in tp.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, tuple, Sequence) and isinstance(part, int):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return args[part] if part < len(args) else None
        return args[0] if args else None
    if origin in (dict, Mapping) and isinstance(part, str):
        return args[1] if len(args) == 2 else None
    return None


def _unwrap_container_union(tp: Any, part: str | int) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap_container_union(typing.get_args(tp)[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None):
                continue
            arg = _unwrap_container_union(arg, part)
            a_origin = typing.get_origin(arg)
            if isinstance(part, int) and a_origin in (list, tuple):
                return arg
            if isinstance(part, str) and (
                a_origin in (dict, Mapping) or (isinstance(arg, type) and issubclass(arg, BaseModel))
            ):
                return arg
        return None
    return tp
