"""Input files as data: ``extends:`` chains and strict validation into typed models.

Input files are YAML, or JSON when their name ends in ``.json`` (:mod:`simkz.jsonio`, as strict);
either may extend the other.

Scenario, topology and costs files may say ``extends: BASE``: BASE is a path relative
to the file or, for a bare name, a shipped scenario or topology (``extends: kz-base``).
The base is read first and the file's own keys are merged over it:

* a mapping merges key by key; ``null`` deletes a key;
* ``key+: [...]`` appends to the base's list ``key`` (an error if the base has no such
  list, if the value is not a list, or if the file also gives ``key`` or ``key=``);
* ``key=: value`` replaces the base's ``key`` as a whole, without merging or warning;
* a plain ``key`` replaces a scalar or a list; replacing a non-empty list of the base
  with a different one adds a warning (:attr:`InputDocument.warnings`), since the
  base's entries are dropped.

A key ending in ``+`` or ``=`` in a file that extends nothing is an error. Every
file read is hashed (SHA-256) so that results can name their exact inputs.

Validation is strict (:class:`StrictModel`): an unknown key, a string where a number
belongs, a bool where a number belongs, a number where a string belongs, a float where
an integer belongs, ``.nan`` or ``.inf`` are errors naming the key path. Integers are
accepted where a number belongs, and lists where a tuple does (YAML has no tuples).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from simkz.errors import InputError, format_path
from simkz.jsonio import read_json
from simkz.resources import find_base
from simkz.yamlio import read_yaml

__all__ = [
    "APPEND",
    "REPLACE",
    "UNKNOWN_KEY",
    "InputDocument",
    "NonNegative",
    "Pair",
    "Positive",
    "Share",
    "StrictModel",
    "json_schema",
    "merge",
    "read_document",
    "validate_model",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
MAX_EXTENDS_DEPTH = 10
#: Suffix of a key that appends to the base's list (``actions+``).
APPEND = "+"
#: Suffix of a key that replaces the base's value as a whole, without a warning (``actions=``).
REPLACE = "="
#: Error type of a key a schema does not know; its context holds ``key`` and ``allowed``.
UNKNOWN_KEY = "unknown_key"

#: A share or probability, 0-1 (finite).
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
#: A finite number above 0.
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
#: A finite number at or above 0.
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
#: Two values written as a YAML list ``[a, b]``: the pair accepts a list, its items stay strict.
Pair = Annotated[tuple[T, T], Strict(False)]


@functools.cache
def _keys_of(model: type[BaseModel]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The keys ``model`` accepts (field names and aliases) and those a file writes (alias, else name)."""
    accepted: set[str] = set()
    shown: list[str] = []
    for name, info in model.model_fields.items():
        accepted.update(k for k in (name, info.alias) if k)
        shown.append(info.alias or name)
    return frozenset(accepted), tuple(shown)


class StrictModel(BaseModel):
    """Base of every file schema: unknown keys are errors, values are not coerced across types.

    Scalars are strict (no ``"7"`` for 7, no ``true`` for 1, no 7 for ``"7"``); numbers are
    finite. Integers pass where a float belongs. Tuples in schemas are :data:`Pair` or
    otherwise marked ``Strict(False)`` so that YAML lists fill them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, data: Any) -> Any:
        """Refuse a mapping with a key this model does not know, naming the keys it does."""
        if isinstance(data, Mapping):
            accepted, shown = _keys_of(cls)
            for key in data:
                if key not in accepted:
                    raise PydanticCustomError(UNKNOWN_KEY, "unknown key {key}", {"key": key, "allowed": list(shown)})
        return data


@dataclass(frozen=True)
class InputDocument:
    """A YAML document with its ``extends:`` chain merged in.

    ``files`` lists every file read, the document's own first, each with its SHA-256.
    ``warnings`` are one-line notes on the merge (a base's list replaced), for every file
    of the chain; each starts with ``warning:``.
    """

    path: Path
    data: dict[str, Any]
    files: tuple[tuple[Path, str], ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())


def merge(
    base: Mapping[str, Any],
    over: Mapping[str, Any],
    *,
    file: Path | str | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Merge ``over`` into ``base`` (see the module's docstring for the rules).

    Raises :class:`InputError` (naming ``file`` and the key path) on a bad ``key+`` or
    ``key=``; appends to ``warnings`` a line for each non-empty base list replaced.
    """
    return _merge(base, over, file, (), warnings if warnings is not None else [])


def _merge(
    base: Mapping[str, Any],
    over: Mapping[str, Any],
    file: Path | str | None,
    loc: tuple[str | int, ...],
    notes: list[str],
) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        name, suffix = _split_key(key)
        if suffix:
            _check_alone(over, name, key, file, loc)
        if suffix == APPEND:
            out[name] = _appended(out.get(name), value, file, (*loc, key))
        elif value is None:
            out.pop(name, None)
        elif suffix == REPLACE:
            _reject_overlay_keys(value, file, (*loc, key))
            out[name] = value
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value, file, (*loc, key), notes)
        else:
            _reject_overlay_keys(value, file, (*loc, key))
            old = out.get(key)
            if isinstance(old, list) and old and value != old:
                notes.append(_replaced_note(file, (*loc, key), len(old)))
            out[key] = value
    return out


def _split_key(key: Any) -> tuple[Any, str]:
    """``("actions", "+")`` for ``actions+``; ``(key, "")`` for a plain key."""
    if isinstance(key, str) and len(key) > 1 and key[-1] in (APPEND, REPLACE):
        return key[:-1], key[-1]
    return key, ""


def _check_alone(
    over: Mapping[str, Any], name: str, key: str, file: Path | str | None, loc: tuple[str | int, ...]
) -> None:
    others = [k for k in (name, name + APPEND, name + REPLACE) if k != key and k in over]
    if others:
        raise InputError(
            file,
            (*loc, key),
            f"{key!r} cannot be given together with {others[0]!r}",
            allowed=f"one of {name!r} (replace), {name + APPEND!r} (add to the base's list), "
            f"{name + REPLACE!r} (replace without a warning)",
        )


def _appended(old: Any, value: Any, file: Path | str | None, loc: tuple[str | int, ...]) -> list[Any]:
    key = str(loc[-1])
    if not isinstance(value, list):
        raise InputError(file, loc, f"{key} adds entries to the base's list", value=value, allowed="a list")
    if old is None:
        raise InputError(
            file, loc, f"the base file sets no {key[:-1]!r} to add to", allowed=f"{key[:-1]!r} to set the list"
        )
    if not isinstance(old, list):
        raise InputError(
            file,
            loc,
            f"the base's {key[:-1]!r} is not a list to add to",
            value=type(old).__name__,
            allowed=f"{key[:-1]!r} to replace it",
        )
    return [*old, *value]


def _replaced_note(file: Path | str | None, loc: tuple[str | int, ...], count: int) -> str:
    where = Path(file).name if file is not None else "<input>"
    key = str(loc[-1])
    entries = "entry" if count == 1 else "entries"
    return (
        f"warning: {where}: {format_path(loc)}: replaces the base's list and drops its {count} {entries}; "
        f"write `{key}{REPLACE}:` if replacing is meant, or `{key}{APPEND}:` to add to the base's list"
    )


def _reject_overlay_keys(value: Any, file: Path | str | None, loc: tuple[str | int, ...]) -> None:
    """A ``key+`` or ``key=`` where there is no base value to act on is an error."""
    if not isinstance(value, Mapping):
        return
    for key, sub in value.items():
        if isinstance(key, str) and key[-1:] in _SUFFIXES:  # rare: a large file is passed over fast
            name, suffix = _split_key(key)
            if suffix:
                what = "adds to" if suffix == APPEND else "replaces"
                raise InputError(
                    file,
                    (*loc, key),
                    f"{key!r} {what} a value of the base file, and there is none here",
                    allowed=f"{name!r}, or `extends:` a base that has it",
                )
        if not isinstance(sub, _LEAVES):
            _reject_overlay_keys(sub, file, (*loc, key))


#: Values that hold no keys an overlay could name (lists are not searched either).
_LEAVES = (str, int, float, list, type(None))
_SUFFIXES = (APPEND, REPLACE)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_document(path: Path, *, _chain: tuple[Path, ...] = ()) -> InputDocument:
    """Read ``path`` and the files it extends; raise :class:`InputError` on a bad chain or overlay."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise InputError(path, ("extends",), f"extends cycle {cycle}", allowed="a chain without cycles")
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(path, ("extends",), "extends chain too long", allowed=f"at most {MAX_EXTENDS_DEPTH} files")
    raw = read_json(path) if path.suffix.lower() == ".json" else read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(
            path, (), "the file must hold a mapping of keys", value=type(raw).__name__, allowed="a YAML mapping"
        )
    files: tuple[tuple[Path, str], ...] = ((path, _sha256(path)),)
    base_ref = raw.get("extends")
    if base_ref is None:
        _reject_overlay_keys(raw, path, ())
        return InputDocument(path, dict(raw), files)
    base_path = _base_path(path, base_ref)
    base = read_document(base_path, _chain=(*_chain, resolved))
    own = {k: v for k, v in raw.items() if k != "extends"}
    notes: list[str] = []
    merged = merge(_rebase_paths(base.data, base_path.parent, path.parent), own, file=path, warnings=notes)
    return InputDocument(path, merged, files + base.files, (*notes, *base.warnings))


_BASE_ALLOWED = "a path relative to this file, or the name of a shipped scenario or topology (see `simkz list`)"


def _base_path(path: Path, base_ref: Any) -> Path:
    """The file ``extends: base_ref`` names: relative to ``path``, else a shipped name."""
    if not isinstance(base_ref, str) or not base_ref.strip():
        raise InputError(path, ("extends",), "extends names one file", value=base_ref, allowed=_BASE_ALLOWED)
    found = find_base(base_ref, relative_to=path.parent)
    if isinstance(found, list):
        raise InputError(
            path,
            ("extends",),
            "the name is both a shipped scenario and a shipped topology",
            value=base_ref,
            allowed="a path relative to this file",
        )
    if found is None:
        raise InputError(path, ("extends",), "the base file does not exist", value=base_ref, allowed=_BASE_ALLOWED)
    return found


_PATH_KEYS = ("topology", "costs")


def _rebase_paths(data: dict[str, Any], base_dir: Path, own_dir: Path) -> dict[str, Any]:
    """Paths in a base file are relative to the base; rewrite them relative to the extending file."""
    out = dict(data)
    for key in _PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and (value.endswith((".yaml", ".yml", ".json")) or "/" in value):
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
        raise _to_input_error(exc, data, file) from None


def _to_input_error(exc: ValidationError, data: Any, file: Path | str | None) -> InputError:
    """The most specific of pydantic's errors (an unknown key first, then the deepest path) as an InputError."""
    errors = [(err, _key_path(err, data)) for err in exc.errors(include_url=False)]
    err, loc = min(errors, key=lambda e: (e[0]["type"] != UNKNOWN_KEY, -len(e[1])))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == UNKNOWN_KEY:
        key = ctx["key"] if isinstance(ctx["key"], str) else repr(ctx["key"])  # a YAML key may be a number
        return InputError(file, (*loc, key), f"unknown key {ctx['key']!r}", allowed=list(ctx["allowed"]))
    if kind == "missing":
        return InputError(file, loc, "required key is missing")
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    allowed = str(ctx["expected"]) if "expected" in ctx else None
    return InputError(file, loc, message, value=err.get("input"), allowed=allowed)


def _key_path(err: ErrorDetails, data: Any) -> tuple[str | int, ...]:
    """The error's location as keys and indices of ``data``.

    pydantic also puts the member of a union it tried in the location (``str``,
    ``DependencySpec``, ``list[str]``...); such a part is not a key of the input there,
    so following the input drops it. A missing key is the location's last part.
    """
    loc = err["loc"]
    last = len(loc) - 1
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out.append(part)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif isinstance(node, Mapping) and (part in node or (i == last and err["type"] == "missing")):
            out.append(part)
            node = node.get(part)
    return tuple(out)
