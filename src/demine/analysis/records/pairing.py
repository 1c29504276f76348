"""The rounds of mutual best choices that make a one-to-one pairing of points with the mines found
(FoundMines.nearest): compiled, for kernels.nearest_one_to_one and the scoring of a fit's peaks."""

from __future__ import annotations

import numba
import numpy as np


# Inlined into its callers: a compiled callee loaded from numba's cache as part of a kernel could not then be called
# from Python as well (numba 0.68: "NRT_adapt_ndarray_to_python: descr is NULL"), which the tests do.
@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def mutual_best(src: np.ndarray, dst: np.ndarray, dist: np.ndarray, n: int,
                order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairing of found_mines._one_to_one over candidate edges (point src, local mine dst, distance dist), each
    point's edges together and closest first: in rounds, each point proposes its closest mine still free, and each mine
    takes its closest proposer (on equal distances the earlier edge, as a stable sort of the edges by distance
    orders them). Returns each point's mine (national index `order[dst]`, -1: none) and distance.

    No sort of the edges: a point's edges are laid down closest first, so its proposal is its first edge whose mine
    is still free, and a mine keeps the smallest (distance, edge) among its proposals (half the pairing's time)."""
    m = len(src)
    index = np.full(n, -1, np.int64)
    distance = np.full(n, np.inf)
    slot_start = np.empty(m + 1, np.int64)  # the points holding edges, in the order their edges were laid down
    slots = 0
    e = 0
    while e < m:
        slot_start[slots] = e
        p = src[e]
        while e < m and src[e] == p:
            e += 1
        slots += 1
    slot_start[slots] = m
    ptr = slot_start[:slots].copy()
    done = np.zeros(slots, np.bool_)
    src_used = np.zeros(n, np.bool_)
    dst_used = np.zeros(len(order), np.bool_)
    best = np.full(len(order), -1, np.int64)
    touched = np.empty(slots, np.int64)
    for _ in range(4):  # later rounds only settle the few contested pairs
        n_touched = 0
        for s in range(slots):  # each point proposes its closest remaining mine; each mine takes its closest proposer
            if done[s]:
                continue
            e = ptr[s]
            mine = dst[e]
            cur = best[mine]
            if cur < 0:
                best[mine] = e
                touched[n_touched] = mine
                n_touched += 1
            elif dist[e] < dist[cur] or (dist[e] == dist[cur] and e < cur):
                best[mine] = e
        if n_touched == 0:
            break
        for q in range(n_touched):
            mine = touched[q]
            e = best[mine]
            best[mine] = -1
            src_used[src[e]], dst_used[mine] = True, True
            index[src[e]], distance[src[e]] = order[mine], dist[e]
        for s in range(slots):  # a point's next proposal: its first edge to a mine still free
            if done[s]:
                continue
            e = ptr[s]
            if src_used[src[e]]:
                done[s] = True
                continue
            while e < slot_start[s + 1] and dst_used[dst[e]]:
                e += 1
            if e == slot_start[s + 1]:
                done[s] = True
            else:
                ptr[s] = e
    return index, distance
