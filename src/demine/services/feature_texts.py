"""Each map feature's GeoJSON text at a zoom, kept between requests while its table's write count holds.

A national or district view sends up to 2,000 polygons; reading their stored geometry, decoding, simplifying to the
zoom's pixel and writing GeoJSON cost 100-400 ms a request on the bench-scale register, for texts that only change when
the table is written. So the text of each feature (geometry simplified for that zoom, coordinates rounded, and its
properties) is made once per zoom and kept, stamped with the register's write counts of the tables it comes from
(store.changes, kept by triggers whatever writes). The features of a view are still chosen by SQL every request (the
viewport, retirement, the approved-only rule, the period), so which features come back is exactly what the register
holds now; only the text of a chosen feature comes from the cache, and only while nothing wrote its table.

When the stamp has moved, the texts of the features written since are dropped, not the layer's: the register logs
each updated or deleted feature with its table's write count (table feature_changes, migration 0008), so a request
after a write reads the few ids written since the stamp it holds and makes only those texts again (a new feature has
no text yet). When that cannot be told (another database, a write to a second source table such as the records'
verifications), every text of the layer is dropped as before.

The stamp is read before the rows and again after the texts are made: a write that lands in between (a request that
is not one snapshot on SQLite) makes the request neither use nor keep cached texts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence

# Kept texts per process, all layers and zooms together: beyond this the layer's texts are dropped and made again.
MAX_BYTES = 256 * 1024 * 1024


class FeatureTextCache:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        # (register location, layer) -> (stamp, {zoom: {feature id: text}}, bytes held)
        self._held: dict[tuple[str, str], tuple[tuple[int, ...], dict[int, dict[int, str]], int]] = {}
        self._guard = threading.Lock()
        self._max_bytes = max_bytes

    def texts(self, location: str, layer: str, zoom: int, stamp: tuple[int, ...], ids: Sequence[int],
              make: Callable[[list[int]], dict[int, str]], still: Callable[[], tuple[int, ...]],
              changed: Callable[[tuple[int, ...]], Collection[int] | None] | None = None) -> list[str]:
        """The texts of `ids` in order: kept ones, and `make(missing ids)` for the others, kept too. `still()` reads the
        stamp again after the rows were chosen: when it moved, every text is made afresh and none is kept.
        `changed(held stamp)` names the features written since a stamp (None: cannot tell): when the held texts are of
        an older stamp, only those features' texts are dropped."""
        key = (location, layer)
        with self._guard:
            held = self._held.get(key)
        if held is not None and held[0] != stamp and changed is not None:
            self._drop_changed(key, held, stamp, changed(held[0]))
        with self._guard:
            held = self._held.get(key)
            kept = held[1].get(zoom, {}) if held is not None and held[0] == stamp else {}
            known = {i: kept[i] for i in ids if i in kept}
        missing = [i for i in ids if i not in known]
        made = make(missing) if missing else {}
        if still() != stamp:  # a write landed during the request: every text made afresh, none kept
            made = make(list(ids))
            return [made[i] for i in ids]
        if made:
            known.update(made)
            self._keep(key, zoom, stamp, made)
        return [known[i] for i in ids]

    def _drop_changed(self, key: tuple[str, str], held: tuple, stamp: tuple[int, ...],
                      written: Collection[int] | None) -> None:
        """The held texts brought to `stamp`: those of the features written since dropped (all, when unknown)."""
        with self._guard:
            if self._held.get(key) is not held:
                return  # another request moved them meanwhile
            if written is None:
                del self._held[key]
                return
            zooms, total = held[1], held[2]
            for texts in zooms.values():
                for feature in written:
                    text = texts.pop(feature, None)
                    if text is not None:
                        total -= len(text)
            self._held[key] = (stamp, zooms, total)

    def _keep(self, key: tuple[str, str], zoom: int, stamp: tuple[int, ...], made: dict[int, str]) -> None:
        size = sum(len(t) for t in made.values())
        with self._guard:
            held = self._held.get(key)
            if held is None or held[0] != stamp:
                held = (stamp, {}, 0)
            zooms, total = held[1], held[2]
            if total + size > self._max_bytes:
                zooms, total = {}, 0
            zooms.setdefault(zoom, {}).update(made)
            self._held[key] = (stamp, zooms, total + size)
            excess = sum(h[2] for h in self._held.values()) - self._max_bytes
            if excess > 0:  # other registers' or layers' texts go first
                for other in [k for k in self._held if k != key]:
                    del self._held[other]

    def clear(self) -> None:
        with self._guard:
            self._held.clear()


FEATURE_TEXTS = FeatureTextCache()
