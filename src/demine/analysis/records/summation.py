"""numpy's order of summation, compiled: a sum computed in a kernel that must equal, to the bit, the sum numpy
takes of the same float64 values (np.sum, np.mean), where an answer was so far computed in numpy."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's sum of up to 128 values: one by one below 8, else eight accumulators, then the rest one by one."""
    if n < 8:
        total = 0.0
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[lo + i]
        i += 1
    return total


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """The sum of a[lo:lo + n] as numpy sums a float64 array (its pairwise_sum: blocks of up to 128 values, larger
    runs split in halves of whole eights, each half summed alike and the two added), so that np.mean's result is
    matched to the bit. The halves are walked with a stack, not by recursion (numba's cache breaks a recursive
    function called from another compiled one)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    node_lo = np.empty(128, np.int64)
    node_n = np.empty(128, np.int64)
    node_split = np.zeros(128, np.bool_)  # its halves summed: add them
    sums = np.empty(128)
    top, held = 1, 0
    node_lo[0], node_n[0] = lo, n
    while top:
        top -= 1
        at, size = node_lo[top], node_n[top]
        if size <= 128:
            sums[held] = _block_sum(a, at, size)
            held += 1
        elif node_split[top]:
            sums[held - 2] = sums[held - 2] + sums[held - 1]
            held -= 1
        else:
            half = size // 2
            half -= half % 8
            node_split[top] = True  # back to it after both halves, the first half's sum below the second's
            node_lo[top + 1], node_n[top + 1], node_split[top + 1] = at + half, size - half, False
            node_lo[top + 2], node_n[top + 2], node_split[top + 2] = at, half, False
            top += 3
    return sums[0]
