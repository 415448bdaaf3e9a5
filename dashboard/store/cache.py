"""Values kept per file version (store/version.py): query results and what is computed from them
alone. A value is filed under (file version, …): a load replaces the file, and every value of the
old one goes."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd


def frame_bytes(value) -> int:
    """Bytes of the frames a value holds: a frame, or dataclasses, dicts, lists and tuples of them."""
    if isinstance(value, pd.DataFrame):  # 8 bytes a cell: pandas' memory_usage costs a millisecond a frame
        return 8 * value.shape[0] * (value.shape[1] + 1)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(frame_bytes(v) for v in vars(value).values())
    if isinstance(value, dict):
        return sum(frame_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(frame_bytes(v) for v in value)
    return 0


class Kept:
    """Values kept per (file version, …) key: the least recently used dropped first beyond `limit`
    bytes of frames, and all of a file's when a load replaces it. `copy` is applied on the way in
    and out (query results: a shallow copy, so a caller's changes never reach the kept frame)."""

    def __init__(self, limit: int, copy: Callable = lambda value: value):
        self.limit, self.size, self.copy = limit, 0, copy
        self.values: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple | None):
        with self.lock:
            if key is None or key not in self.values:
                return None
            self.values.move_to_end(key)
            value = self.values[key][0]
        return self.copy(value)

    def put(self, key: tuple | None, value) -> None:
        if key is None:
            return
        size = frame_bytes(value)
        with self.lock:
            if key in self.values or size > self.limit // 2:
                return
            self.values[key] = (self.copy(value), size)
            self.size += size
            while self.size > self.limit:
                _, (_, dropped) = self.values.popitem(last=False)
                self.size -= dropped

    def keep_only(self, version: tuple) -> None:
        with self.lock:
            for key in [k for k in self.values if k[0] != version]:
                self.size -= self.values.pop(key)[1]

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.size = 0


RESULTS = Kept(64 * 2**20, copy=lambda frame: frame.copy(deep=False))  # query results
KEPT = Kept(64 * 2**20)  # what db.kept builds
