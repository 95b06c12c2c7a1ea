"""The book model as JSON and back: what the tool keeps between builds, in a format that cannot run code."""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin, get_type_hints

from builder.mathtex.formula import Formula, Row
from builder.mathtex.lexer import Token
from builder.model.book import Post
from builder.model.content import (
    CodeBlock,
    DisplayMath,
    Figure,
    FigureImage,
    Heading,
    ListBlock,
    Location,
    Logo,
    Math,
    Paragraph,
    PostDate,
    Table,
    Text,
    Url,
)
from builder.model.diagnostics import Diagnostic

# The classes of the model a stored value may name: reading one back constructs nothing else.
MODEL_CLASSES: tuple[type, ...] = (Post, PostDate, Location, Text, Math, Logo, Url, Paragraph, Heading, Figure,
                                   FigureImage, DisplayMath, ListBlock, CodeBlock, Table, Formula, Row, Diagnostic)
TAG = "@"


class DecodeError(ValueError):
    """A stored value that is not what this tool writes."""


class Codec:
    """Values made of the given dataclasses (and tokens, tuples, lists, mappings, text and numbers) as JSON data:
    an object as a mapping naming its class, checked field by field against the declared types when read back."""

    def __init__(self, classes: tuple[type, ...] = MODEL_CLASSES) -> None:
        self.classes = {cls.__name__: cls for cls in classes}
        self._readers: dict[Any, Callable[[Any], Any]] = {}
        self._fields: dict[str, Any] = {}  # class name -> (class, [(field, reader)], keys an object has)

    def encode(self, value: Any) -> Any:
        if isinstance(value, Token):
            return [value.kind, value.text]
        if isinstance(value, tuple) and value and isinstance(value[0], Token):  # a formula's tokens, flat
            return [part for token in value for part in token]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            name = type(value).__name__
            if self.classes.get(name) is not type(value):
                raise TypeError(f"{name} is not stored")
            out = {TAG: name}
            for f in dataclasses.fields(value):
                out[f.name] = self.encode(getattr(value, f.name))
            return out
        if isinstance(value, (list, tuple)):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self.encode(v) for k, v in value.items()}
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise TypeError(f"{type(value).__name__} is not stored")

    def decode(self, data: Any, typ: Any = Any) -> Any:
        """The value encode() made of data, checked against `typ`: DecodeError if it is not one."""
        try:
            return self._reader(typ)(data)
        except (TypeError, KeyError, AttributeError) as exc:  # a list where a mapping was expected, …
            raise DecodeError(str(exc)) from None

    def _reader(self, typ: Any) -> Callable[[Any], Any]:
        """A function reading data of type `typ` (made once per type: reading is most of a cached build)."""
        key = typ if isinstance(typ, type) or typ is Any else repr(typ)
        made = self._readers.get(key)
        if made is None:
            made = self._readers[key] = self._make_reader(typ)
        return made

    def _make_reader(self, typ: Any) -> Callable[[Any], Any]:
        origin = get_origin(typ)
        if typ is Any or typ is object:
            return self._any
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(typ) if a is not type(None)]
            optional = type(None) in get_args(typ)
            inner = self._reader(options[0]) if len(options) == 1 else None
            allowed = tuple(o for o in options if isinstance(o, type))

            def union(data: Any) -> Any:
                if data is None and optional:
                    return None
                if inner is not None:
                    return inner(data)
                obj = self._object(data)
                if not isinstance(obj, allowed):
                    raise DecodeError(f"{type(obj).__name__} where {typ} was expected")
                return obj
            return union
        if origin is typing.Literal:
            choices = get_args(typ)

            def literal(data: Any) -> Any:
                if data not in choices:
                    raise DecodeError(f"{data!r} is not one of {choices}")
                return data
            return literal
        if origin in (tuple, list):
            args = [a for a in get_args(typ) if a is not Ellipsis]
            if origin is tuple and len(args) > 1:  # tuple[str, int]: fixed
                readers = [self._reader(a) for a in args]

                def fixed(data: Any) -> Any:
                    if not isinstance(data, list) or len(data) != len(readers):
                        raise DecodeError("expected a list of another length")
                    return tuple(r(v) for r, v in zip(readers, data))
                return fixed
            if origin is tuple and args == [Token]:
                return _tokens
            item = self._reader(args[0] if args else Any)
            make = tuple if origin is tuple else list

            def sequence(data: Any) -> Any:
                if not isinstance(data, list):
                    raise DecodeError("expected a list")
                return make(item(v) for v in data)
            return sequence
        if origin is dict:
            value = self._reader(get_args(typ)[1])

            def mapping(data: Any) -> Any:
                if not isinstance(data, dict):
                    raise DecodeError("expected a mapping")
                return {str(k): value(v) for k, v in data.items()}
            return mapping
        if typ is Token:
            def token(data: Any) -> Token:
                if not (isinstance(data, list) and len(data) == 2 and type(data[0]) is str and type(data[1]) is str):
                    raise DecodeError("a token is [kind, text]")
                return Token(data[0], data[1])
            return token
        if isinstance(typ, type) and dataclasses.is_dataclass(typ):
            def one(data: Any) -> Any:
                obj = self._object(data)
                if type(obj) is not typ:
                    raise DecodeError(f"expected {typ.__name__}")
                return obj
            return one
        if typ in (str, int, bool):
            def scalar(data: Any) -> Any:
                if type(data) is not typ:
                    raise DecodeError(f"expected {typ.__name__}")
                return data
            return scalar
        if typ is float:
            def number(data: Any) -> float:
                if type(data) not in (int, float):
                    raise DecodeError("expected a number")
                return float(data)
            return number
        raise DecodeError(f"cannot read a {typ}")

    def _any(self, data: Any) -> Any:
        if isinstance(data, dict) and TAG in data:
            return self._object(data)
        if data is None or isinstance(data, (str, int, float, bool)):
            return data
        raise DecodeError(f"unexpected {type(data).__name__}")

    def _object(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise DecodeError("expected an object")
        name = data.get(TAG)
        fields = self._fields.get(name) if isinstance(name, str) else None
        if fields is None:
            if name not in self.classes:
                raise DecodeError(f"unknown class {name!r}")
            cls = self.classes[name]
            hints = get_type_hints(cls)
            readers = [(f.name, self._reader(hints[f.name])) for f in dataclasses.fields(cls)]
            fields = self._fields[name] = (cls, readers, len(readers) + 1)
        cls, readers, size = fields
        if len(data) != size:
            raise DecodeError(f"{name} with other fields")
        return cls(*[read(data[field]) for field, read in readers])


def _tokens(data: Any) -> tuple[Token, ...]:
    """tuple[Token, ...] as encode() writes it: kind, text, kind, text, …"""
    if not isinstance(data, list) or len(data) % 2 or not all(type(x) is str for x in data):
        raise DecodeError("tokens are a list of kinds and texts")
    it = iter(data)
    return tuple(map(Token, it, it))
