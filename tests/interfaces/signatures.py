"""Does an implementation offer an interface's every public method, with the same signature?

The interface is a ``Protocol`` (``devices.interfaces``) or, where there is none, the real class
(``BackendClient``). Two signatures are the same when their parameters have the same names,
kinds and defaults in the same order (annotations aside): a caller that works with one works
with the other, and a fake cannot accept a call the real part would refuse.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable


def public_members(interface: type, leave_out: Iterable[str] = (),
                   only: Iterable[str] | None = None) -> list[str]:
    """The public methods and properties *interface* declares (constructors aside), or the
    ones named in *only* (for a fake of part of a class)."""
    skip, keep = set(leave_out), None if only is None else set(only)
    names = []
    for name, member in vars(interface).items():
        if name.startswith("_") or name in skip or isinstance(member, classmethod | staticmethod):
            continue
        if keep is not None and name not in keep:
            continue
        if callable(member) or isinstance(member, property):
            names.append(name)
    return names


def _shape(function) -> list[tuple[str, str, object]]:
    return [(p.name, p.kind.name, p.default) for p in inspect.signature(function).parameters.values()]


def interface_gaps(implementation, interface: type, leave_out: Iterable[str] = (),
                   only: Iterable[str] | None = None) -> list[str]:
    """What *implementation* (a class or an instance) lacks of *interface*, one line each."""
    cls = implementation if isinstance(implementation, type) else type(implementation)
    gaps = []
    if only is not None:
        unknown = sorted(set(only) - set(vars(interface)))
        gaps += [f"{name}: not in {interface.__name__}" for name in unknown]
    for name in public_members(interface, leave_out, only):
        wanted = vars(interface)[name]
        if isinstance(wanted, property):
            if not hasattr(implementation, name):
                gaps.append(f"{name}: missing (a property of {interface.__name__})")
            continue
        got = inspect.getattr_static(cls, name, None)
        if not callable(got):
            gaps.append(f"{name}: missing")
        elif _shape(got) != _shape(wanted):
            gaps.append(f"{name}{inspect.signature(got)} differs from "
                        f"{interface.__name__}.{name}{inspect.signature(wanted)}")
    return gaps
