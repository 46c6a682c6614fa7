"""Compiled loops of the multi-index-hashing search (numba): the only code here that is hot.

Layout (one segment of at most 2**24 hashes of 256 bits, each 4 little-endian uint64):
the hash is cut into 16 keys of 16 bits. Table j lists every hash ordered by key j, and
`offsets[j, k]` is where key k starts. Any hash within distance 31 of a query differs
from it in at most one bit of at least one key (pigeonhole: 16 keys, 31 < 2 * 16), so
probing each table at the query's key and its 16 one-bit neighbours finds every such
hash (and with the 120 two-bit neighbours too, every hash within 47). A table entry
packs a 40-bit sketch (the next 40 bits of the hash) above the 24-bit row number, so
most candidates are rejected from the table itself, read in order, without touching the
full hash.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

NKEYS = 16
ROW_BITS = 24
MAX_ROWS = 1 << ROW_BITS
SKETCH_BITS = 40
_ROW_MASK = np.uint64(MAX_ROWS - 1)
_SKETCH_MASK = np.uint64((1 << SKETCH_BITS) - 1)
# Tables read this many probe ranges ahead of the one being scanned.
_PREFETCH_AHEAD = 6


@intrinsic
def _prefetch(typingctx, arr, idx):
    """Ask the CPU to start loading arr[idx]; bucket reads are short, so the hardware
    prefetcher alone leaves the scan waiting on memory."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty, _ = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]],
                                       wraparound=False, boundscheck=False)
        i8p = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer(), i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [i8p, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@nb.njit(inline="always")
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@nb.njit(inline="always")
def _key(code, j):
    return np.int64((code[j >> 2] >> np.uint64((j & 3) * 16)) & np.uint64(0xFFFF))


@nb.njit(inline="always")
def _sketch(code, j):
    s = np.uint64(_key(code, (j + 1) % NKEYS))
    s |= np.uint64(_key(code, (j + 2) % NKEYS)) << np.uint64(16)
    s |= np.uint64(_key(code, (j + 3) % NKEYS)) << np.uint64(32)
    return s & _SKETCH_MASK


@nb.njit(inline="always")
def _dist(a, b):
    return (_popcount(a[0] ^ b[0]) + _popcount(a[1] ^ b[1])
            + _popcount(a[2] ^ b[2]) + _popcount(a[3] ^ b[3]))


@nb.njit(cache=True, nogil=True)
def build_tables(codes):
    """Tables and offsets of a segment, by counting sort (linear time, no temporaries)."""
    n = codes.shape[0]
    offsets = np.zeros((NKEYS, 65537), np.int32)
    tables = np.empty((NKEYS, n), np.uint64)
    for j in range(NKEYS):
        counts = np.zeros(65537, np.int64)
        for i in range(n):
            counts[_key(codes[i], j) + 1] += 1
        for k in range(65536):
            counts[k + 1] += counts[k]
        for k in range(65537):
            offsets[j, k] = counts[k]
        for i in range(n):
            k = _key(codes[i], j)
            tables[j, counts[k]] = (_sketch(codes[i], j) << np.uint64(ROW_BITS)) | np.uint64(i)
            counts[k] += 1
    return tables, offsets


@nb.njit(cache=True, nogil=True)
def search_mih(q, codes, dead, tables, offsets, maxd, radius, skt, out_rows, out_dist):
    """Rows of one segment within `maxd` of query `q`; returns how many (may exceed the
    output's length, in which case only the first ones are written). `radius` is the
    key distance probed: exact when maxd < 16 * (radius + 1)."""
    n_out = 0
    cap = out_rows.shape[0]
    per_key = 1 + (NKEYS if radius >= 1 else 0) + (NKEYS * (NKEYS - 1) // 2 if radius >= 2 else 0)
    nprobes = NKEYS * per_key
    starts = np.empty(nprobes, np.int64)
    ends = np.empty(nprobes, np.int64)
    which = np.empty(nprobes, np.int64)
    qs = np.empty(NKEYS, np.uint64)
    r = 0
    for j in range(NKEYS):
        key = _key(q, j)
        qs[j] = _sketch(q, j)
        for a in range(-1, NKEYS if radius >= 1 else 0):
            for b in range(-1, max(a, 0) if radius >= 2 else 0):
                p = key
                if a >= 0:
                    p ^= 1 << a
                if b >= 0:
                    p ^= 1 << b
                starts[r] = offsets[j, p]
                ends[r] = offsets[j, p + 1]
                which[r] = j
                r += 1
    surv_rows = np.empty(4096, np.int64)
    surv_tab = np.empty(4096, np.int64)
    ns = 0
    for r in range(min(_PREFETCH_AHEAD, nprobes)):
        for i in range(starts[r], ends[r], 8):
            _prefetch(tables[which[r]], i)
    for r in range(nprobes):
        ra = r + _PREFETCH_AHEAD
        if ra < nprobes:
            for i in range(starts[ra], ends[ra], 8):
                _prefetch(tables[which[ra]], i)
        j = which[r]
        tab = tables[j]
        s = qs[j]
        for i in range(starts[r], ends[r]):
            e = tab[i]
            if _popcount((e >> np.uint64(ROW_BITS)) ^ s) <= skt:
                surv_rows[ns] = np.int64(e & _ROW_MASK)
                surv_tab[ns] = j
                ns += 1
                if ns == surv_rows.shape[0]:
                    n_out = _verify(q, codes, dead, maxd, radius, skt, qs, surv_rows, surv_tab,
                                    ns, out_rows, out_dist, n_out, cap)
                    ns = 0
    return _verify(q, codes, dead, maxd, radius, skt, qs, surv_rows, surv_tab, ns,
                   out_rows, out_dist, n_out, cap)


@nb.njit(inline="always")
def _verify(q, codes, dead, maxd, radius, skt, qs, rows, tabs, ns, out_rows, out_dist, n_out,
            cap):
    flat = codes.reshape(-1)
    for t in range(ns):
        _prefetch(flat, rows[t] * 4)
    for t in range(ns):
        row = rows[t]
        if dead[row]:
            continue
        c = codes[row]
        d = _dist(c, q)
        if d > maxd:
            continue
        # Report a hash once: from the first table where both its key and sketch pass.
        first = True
        for j in range(tabs[t]):
            if _popcount(np.uint64(_key(c, j) ^ _key(q, j))) <= radius and \
                    _popcount(_sketch(c, j) ^ qs[j]) <= skt:
                first = False
                break
        if first:
            if n_out < cap:
                out_rows[n_out] = row
                out_dist[n_out] = d
            n_out += 1
    return n_out


@nb.njit(cache=True, nogil=True)
def search_linear(q, codes, dead, n, maxd, out_rows, out_dist):
    """Every live row of `codes[:n]` within `maxd` of `q`, by a plain scan."""
    n_out = 0
    cap = out_rows.shape[0]
    for row in range(n):
        d = _dist(codes[row], q)
        if d <= maxd and not dead[row]:
            if n_out < cap:
                out_rows[n_out] = row
                out_dist[n_out] = d
            n_out += 1
    return n_out


@nb.njit(cache=True, parallel=True)
def search_mih_batch(queries, codes, dead, tables, offsets, maxd, radius, skt, out_rows,
                     out_dist, counts):
    for i in nb.prange(queries.shape[0]):
        counts[i] = search_mih(queries[i], codes, dead, tables, offsets, maxd, radius, skt,
                               out_rows[i], out_dist[i])


@nb.njit(cache=True, parallel=True)
def search_linear_batch(queries, codes, dead, n, maxd, out_rows, out_dist, counts):
    for i in nb.prange(queries.shape[0]):
        counts[i] = search_linear(queries[i], codes, dead, n, maxd, out_rows[i], out_dist[i])
