"""Settings of named components a parameter set plugs in (a learning rule's rate, say), kept
in one field of a `Params` class and set as
``COMPONENT.SETTING=VALUE``. The core knows no component: the field's ``resolve`` callable
gives each component's own parameter class."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any


class Settings(Mapping):
    """Settings of named components, ``{"COMPONENT.SETTING": value}``: immutable and hashable,
    sorted by key, so two parameter sets with the same settings compare (and hash) equal."""

    def __init__(self, values: Mapping[str, Any] | None = None):
        self._items = tuple(sorted(dict(values or {}).items()))

    def __getitem__(self, key: str) -> Any:
        return dict(self._items)[key]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"Settings({dict(self._items)!r})"

    def of(self, component: str) -> dict[str, Any]:
        """The settings given for ``component``, without its prefix."""
        head = component + "."
        return {k[len(head):]: v for k, v in self._items if k.startswith(head)}

    def merged(self, changes: Mapping[str, Any]) -> Settings:
        return Settings({**dict(self._items), **changes})


def settings_param(resolve: Callable[[str], type], *, doc: str = "",
                   components: Callable[[], Iterable[str]] = tuple,
                   defaults: Callable[[str], Mapping[str, Any]] = lambda component: {}) -> Any:
    """A `Settings` field; ``resolve(component)`` gives the component's parameter class
    (or raises `ParameterError` for an unknown component), ``components()`` the components
    whose settings the field always holds (at ``defaults(component)`` where those differ from the
    class's defaults, else the class's), so a result records every one of them."""
    return field(default_factory=Settings, metadata=dict(
        low=None, high=None, low_open=False, high_open=False, choices=None, units="1", doc=doc,
        why="", resolve=resolve, components=components, defaults=defaults))
