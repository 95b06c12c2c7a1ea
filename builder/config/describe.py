"""book.yaml described from its dataclasses: the defaults with their docs, the settings in effect, a JSON Schema."""
from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import json
import textwrap
from typing import Any, Union, get_args, get_origin

import yaml

from builder.config.loading import field_types
from builder.config.paper import LENGTH_RE, describe_layout
from builder.config.settings import Config

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@functools.cache
def field_docs(cls: Any) -> dict[str, str]:
    """The docstring under each attribute of a dataclass, on one line (empty when the source is missing)."""
    try:
        node = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    except (OSError, TypeError, SyntaxError):
        return {}
    if not isinstance(node, ast.ClassDef):
        return {}
    body = node.body
    docs = {}
    for stmt, after in itertools.pairwise(body):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and isinstance(after, ast.Expr) \
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            docs[stmt.target.id] = " ".join(after.value.value.split())
    return docs


def default_of(f: dataclasses.Field) -> Any:
    """A field's default as plain data (None when the key is required)."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return plain(f.default_factory())
    return None


def plain(value: Any) -> Any:
    """Config values as YAML and JSON write them: dataclasses as mappings, internal fields left out."""
    if dataclasses.is_dataclass(value):
        return {name: plain(getattr(value, name)) for name in field_types(type(value))}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def flow(value: Any) -> str:
    """A value as one line of YAML (flow style)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return text[:-4].strip() if text.endswith("\n...") else text


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
                         break_on_hyphens=False)


def _describe_fields(cls: Any, indent: str) -> list[str]:
    """`# doc` then `key: default` for each field; mappings and lists of mappings show their own keys."""
    lines: list[str] = []
    docs = field_docs(cls)
    for name, (f, typ) in field_types(cls).items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        lines += _comment(("(required) " if required else "") + docs.get(name, ""), indent)
        item = get_args(typ)[-1] if get_origin(typ) in (list, dict) else None
        if dataclasses.is_dataclass(typ):
            lines.append(f"{indent}{name}:")
            lines += _describe_fields(typ, indent + "  ")
        elif get_origin(typ) is list and dataclasses.is_dataclass(item):
            lines += [f"{indent}{name}:  # none by default; each item:", f"{indent}  -"]
            lines += _describe_fields(item, indent + "    ")
        elif get_origin(typ) is dict and dataclasses.is_dataclass(item):
            lines += [f"{indent}{name}:  # none by default; for each post id:", f"{indent}  <id>:"]
            lines += _describe_fields(item, indent + "    ")
        else:
            lines.append(f"{indent}{name}: {'' if required else flow(default_of(f))}".rstrip())
            listed = [get_args(a)[0] for a in get_args(typ) if get_origin(typ) is Union and get_origin(a) is list]
            if listed and dataclasses.is_dataclass(listed[0]):  # volumes: a word, or a list of mappings
                lines += [f"{indent}# or a list, each item:", f"{indent}#  -"]
                lines += [f"{indent}# {line}" for line in _describe_fields(listed[0], "   ")]
    return lines


def describe_lines() -> list[str]:
    """`# doc` then `key: default`, for every setting (nested keys indented), as YAML lines."""
    return _describe_fields(Config, "")


def describe() -> str:
    """Every setting with its default and documentation, for `book config --defaults`."""
    head = ["# Every book.yaml setting, its default and what it does (`book config` shows the settings in effect).", ""]
    return "\n".join(head + describe_lines())


def effective(cfg: Config) -> str:
    """The settings in effect: book.yaml with every default filled in, as YAML."""
    head = [f"# Settings in effect for {cfg.path}: its values, and the default of every key it leaves out.",
            f"# Page: {describe_layout(cfg.paper)}"]
    body = yaml.safe_dump(plain(cfg), allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)
    return "\n".join(head) + "\n" + body.rstrip()


def _type_schema(typ: Any, f: dataclasses.Field | None = None) -> dict:
    """The JSON Schema of one field type, as `convert` in configcheck accepts it."""
    meta = f.metadata if f is not None else {}
    origin = get_origin(typ)
    if origin is Union:
        args = [a for a in get_args(typ) if a is not type(None)]
        if len(args) > 1:  # paper: a name or {width, height}
            return {"anyOf": [{"enum": list(meta.get("choices", []))} if a is str else _type_schema(a)
                              for a in args]}
        inner = _type_schema(args[0], f)
        inner["type"] = [*([inner["type"]] if isinstance(inner["type"], str) else inner["type"]), "null"]
        return inner
    if origin is list:
        items = {"enum": list(meta["choices"])} if "choices" in meta else _type_schema(get_args(typ)[0])
        return {"type": ["array", "null"], "items": items}  # `exclude:` with nothing after it: none
    if origin is dict:
        return {"type": ["object", "null"], "additionalProperties": _type_schema(get_args(typ)[1])}
    if dataclasses.is_dataclass(typ):
        return object_schema(typ)
    if meta.get("date"):  # YYYY-MM-DD; the calendar itself is checked by `book`
        return {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"}
    if meta.get("length"):
        return {"type": "string", "pattern": LENGTH_RE.pattern}
    return {"type": ["string", "number"]}  # `title: 1984` is the text "1984"


def object_schema(cls: Any) -> dict:
    """A config dataclass: its keys with types, defaults and docs; no other key allowed."""
    docs = field_docs(cls)
    props, required = {}, []
    for name, (f, typ) in field_types(cls).items():
        prop = _type_schema(typ, f)
        if name in docs:
            prop["description"] = docs[name]
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(name)
        else:
            prop["default"] = default_of(f)
        props[name] = prop
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def schema() -> dict:
    """book.yaml's JSON Schema (draft 2020-12), for editors that complete and check YAML keys."""
    out = {"$schema": SCHEMA_DIALECT, "title": "book.yaml",
           "description": "Settings of a book compiled by `book` (sciblog-book): `book config --defaults` "
                          "documents each."}
    out.update(object_schema(Config))
    return out


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2)
