r"""Log-domain Gibbs kernels for entropic W1: dense, and separable on grids.

Every entropic solver in :mod:`otbary.entropic` only needs the *log-kernel*

.. math::

    (\mathcal{K} v)_i = \log \sum_j \exp\big(v_j - C_{ij} / \varepsilon\big),

applied to a batch of log-scalings ``v`` of shape ``(B, m)``, and its transpose. Two
implementations:

* :class:`DenseLogKernel` stores ``C`` (``n x m``) and does a max-shifted log-sum-exp,
  ``O(n m)`` memory; used for point clouds, and for grids whose metric is not separable
  (chebyshev, euclidean), up to :data:`DENSE_MAX_ENTRIES` entries.
* :class:`GridLogKernel`: on a regular grid with the cityblock metric the Gibbs kernel
  factorises, ``exp(-|x - y|_1 / eps) = prod_a exp(-h_a |i_a - j_a| / eps)``, so the
  log-kernel is a composition of 1D log-convolutions with the Laplace kernel
  ``exp(-alpha |i - j|)``, ``alpha = h_a / eps``, one per axis (theory fact 9). Each 1D
  one is exact and uses two first-order recursions,

  .. math::

      F_i = \log \sum_{j \le i} e^{v_j - \alpha (i - j)}
          = -\alpha i + \operatorname{logcumsumexp}_{j \le i}(v_j + \alpha j),

  and the backward twin, evaluated by ``np.logaddexp.accumulate`` along the axis for all
  other grid lines and all ``B`` inputs at once. No ``N x N`` array is formed: memory is
  ``O(B N)``. ``logaddexp`` never exponentiates a positive number, so nothing overflows
  or underflows however small ``eps`` is; the only rounding is the absolute
  ``~1e-16 (|v| + alpha n)`` of the shifted sums, i.e. a *relative* error of that size on
  the kernel values. (A linear-domain filter would underflow as soon as ``alpha n``
  exceeds ~700, e.g. 256 nodes at ``eps = h / 3``.)

Both kernels also compute the transport cost ``<C, P>`` of a plan
``P_ij = exp(u_i + v_j - C_ij / eps)`` without forming ``P`` on grids (a second pair of
recursions, see :meth:`GridLogKernel.transport_cost`).
"""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np
from numpy.typing import NDArray

from ..errors import SizeLimitError
from ..geometry import Grid, pairwise_distances

__all__ = [
    "DENSE_MAX_ENTRIES",
    "DenseLogKernel",
    "GridLogKernel",
    "LogKernel",
    "log_laplace_conv",
]

Array = NDArray[np.float64]

#: Largest ``n * m`` of a dense cost matrix (``2^24`` doubles, 128 MiB): beyond it the dense
#: path raises :class:`~otbary.errors.SizeLimitError` instead of exhausting memory.
DENSE_MAX_ENTRIES = 2**24


class LogKernel(Protocol):
    """What the entropic solvers need from a kernel (cost ``C``, regularisation ``eps``)."""

    eps: float
    n: int
    m: int

    def apply(self, v: Array) -> Array:
        """``out[b, i] = log sum_j exp(v[b, j] - C_ij / eps)``, ``v`` of shape ``(B, m)``."""
        ...

    def apply_t(self, u: Array) -> Array:
        """``out[b, j] = log sum_i exp(u[b, i] - C_ij / eps)``, ``u`` of shape ``(B, n)``."""
        ...

    def transport_cost(self, u: Array, v: Array) -> Array:
        """``sum_ij C_ij exp(u[b, i] + v[b, j] - C_ij / eps)`` for each ``b``."""
        ...

    def with_eps(self, eps: float) -> "LogKernel":
        """The same cost with another ``eps``."""
        ...


# --------------------------------------------------------------------------- 1D recursions

#: Finite stand-in for ``log 0`` inside the recursions (``exp`` of it is exactly 0, and
#: unlike ``-inf`` it never produces ``-inf - (-inf) = nan``); converted back on output.
LOG_ZERO = -1e250
_ZERO_BACK = -1e249


def _logaddexp(x: Array, y: Array, out: Array, tmp: Array) -> Array:
    """``out = log(exp x + exp y)`` for finite inputs, as ``max + log1p(exp(min - max))``.

    Built from SIMD-vectorised ufuncs (``np.logaddexp`` evaluates scalar libm calls and is
    several times slower on large arrays). ``out`` may alias ``y``; ``tmp`` is scratch.
    """
    np.minimum(x, y, out=tmp)
    np.maximum(x, y, out=out)
    np.subtract(tmp, out, out=tmp)
    np.exp(tmp, out=tmp)
    np.log1p(tmp, out=tmp)
    np.add(out, tmp, out=out)
    return out


def _ramp(n: int, alpha: float) -> Array:
    return (alpha * np.arange(n, dtype=float))[:, None]


def _scan_shifted(v: Array, alpha: float) -> Array:
    r"""Running log-sum-exps of ``v_j + alpha j`` (forward) and ``v_j - alpha j`` (backward).

    Returns ``s`` of shape ``(n, 2, R)`` with ``s[i, 0] = log sum_{j <= i} exp(v_j + alpha j)``
    and ``s[n - 1 - i, 1] = log sum_{j >= i} exp(v_j - alpha j)``: both in one loop over
    ``n``, each step vectorised over the ``2 R`` other entries.
    """
    n = v.shape[0]
    ramp = _ramp(n, alpha)
    s = np.empty((n, 2, v.shape[1]))
    np.add(v, ramp, out=s[:, 0])
    np.subtract(v[::-1], ramp[::-1], out=s[:, 1])
    tmp = np.empty((2, v.shape[1]))
    # the loop body is _logaddexp(prev, cur, out=cur) inlined, on views made once: at
    # ~1e3 elements per step the Python overhead per ufunc call matters
    rows = list(s)
    minimum, maximum, subtract = np.minimum, np.maximum, np.subtract
    exp, log1p, add = np.exp, np.log1p, np.add
    prev = rows[0]
    for cur in rows[1:]:
        minimum(prev, cur, out=tmp)
        maximum(prev, cur, out=cur)
        subtract(tmp, cur, out=tmp)
        exp(tmp, out=tmp)
        log1p(tmp, out=tmp)
        add(cur, tmp, out=cur)
        prev = cur
    return s


def _scan(v: Array, alpha: float) -> tuple[Array, Array]:
    """Inclusive ``F_i = log sum_{j <= i} exp(v_j - alpha (i - j))`` and ``B_i`` (``j >= i``) along axis 0."""
    s = _scan_shifted(v, alpha)
    ramp = _ramp(v.shape[0], alpha)
    return s[:, 0] - ramp, s[::-1, 1] + ramp


def _shifted(x: Array, forward: bool) -> Array:
    """``y_i = x_{i-1}`` (forward) or ``x_{i+1}`` (backward) along axis 0, ``LOG_ZERO`` at the edge."""
    out = np.full_like(x, LOG_ZERO)
    if forward:
        out[1:] = x[:-1]
    else:
        out[:-1] = x[1:]
    return out


def _along(v: Array, axis: int, fn: Callable[[Array, float], Array], alpha: float) -> Array:
    """Apply ``fn`` (acting on axis 0 of an ``(n, R)`` array) along ``axis`` of ``v``."""
    moved = np.moveaxis(v, axis, 0)
    shape = moved.shape
    flat = np.ascontiguousarray(moved).reshape(shape[0], -1)
    out = fn(flat, alpha).reshape(shape)
    return np.moveaxis(out, 0, axis)


def _conv0(v: Array, alpha: float) -> Array:
    # out_i = logaddexp(F_i, B_{i+1} - alpha) = logaddexp(Fw_i - alpha i, Bw_{i+1} + alpha i) in the
    # shifted coordinates of _scan_shifted, and out_{n-1} = F_{n-1}
    n = v.shape[0]
    if n == 1:
        return np.array(v, dtype=float)
    s = _scan_shifted(v, alpha)
    ramp = _ramp(n - 1, alpha)
    out = np.empty_like(v)
    left = np.subtract(s[:-1, 0], ramp, out=out[:-1])
    right = s[n - 2 :: -1, 1] + ramp
    _logaddexp(left, right, out[:-1], np.empty_like(right))
    out[-1] = s[-1, 0] - alpha * (n - 1)
    return out


def _moment0(v: Array, alpha: float) -> Array:
    fwd, bwd = _scan(v, alpha)
    left = _shifted(_scan(fwd, alpha)[0], forward=True) - alpha
    right = _shifted(_scan(bwd, alpha)[1], forward=False) - alpha
    out = np.empty_like(fwd)
    return _logaddexp(np.maximum(left, LOG_ZERO), np.maximum(right, LOG_ZERO), out, np.empty_like(fwd))


def _to_finite(v: Array) -> Array:
    return np.maximum(np.asarray(v, dtype=float), LOG_ZERO)


def _from_finite(v: Array) -> Array:
    return np.where(v < _ZERO_BACK, -np.inf, v)


def log_laplace_conv(v: Array, alpha: float, axis: int) -> Array:
    r"""Exact 1D log-convolution with the Laplace kernel along ``axis``.

    .. math::

        \mathrm{out}_i = \log \sum_j \exp(v_j - \alpha |i - j|)
                       = \operatorname{logaddexp}(F_i,\; B_{i+1} - \alpha),

    with the forward and backward first-order recursions ``F`` and ``B`` of the module
    docstring. Entries ``-inf`` (zero mass) are allowed.

    Parameters
    ----------
    v : ndarray
        Log-values, any shape.
    alpha : float
        ``h / eps > 0`` for grid spacing ``h``.
    axis : int
    """
    if v.shape[axis] == 1:
        return np.array(v, dtype=float)
    return _from_finite(_along(_to_finite(v), axis, _conv0, alpha))


def _log_laplace_moment(v: Array, alpha: float, axis: int) -> Array:
    r"""``log sum_j |i - j| exp(v_j - alpha |i - j|)`` along ``axis`` (all terms positive).

    ``sum_{j < i} (i - j) r^{i-j} x_j = sum_{m < i} r^{i-m} F_m``: the strict forward
    Laplace convolution of the inclusive forward one (and the backward twin), so no
    cancellation occurs.
    """
    if v.shape[axis] == 1:
        return np.full_like(v, -np.inf)
    return _from_finite(_along(_to_finite(v), axis, _moment0, alpha))


# --------------------------------------------------------------------------- kernels


class GridLogKernel:
    """Separable log-kernel of the cityblock metric on a regular grid (``O(B N)`` memory).

    Parameters
    ----------
    grid : Grid
        Both sides of the kernel are the grid's nodes (C order).
    eps : float
        Regularisation, in the units of the grid coordinates.

    Notes
    -----
    On a 1D grid all three metrics coincide, so this kernel also serves chebyshev and
    euclidean there.
    """

    def __init__(self, grid: Grid, eps: float) -> None:
        self.grid = grid
        self.eps = float(eps)
        self.n = self.m = grid.size
        self.alphas = tuple(h / self.eps for h in grid.spacing)

    def with_eps(self, eps: float) -> "GridLogKernel":
        """The same grid with another ``eps``."""
        return GridLogKernel(self.grid, eps)

    def _grid_view(self, v: Array) -> Array:
        v = np.asarray(v, dtype=float)
        return v.reshape((v.shape[0],) + self.grid.shape)

    def apply(self, v: Array) -> Array:
        """``out[b, i] = log sum_j exp(v[b, j] - |x_i - x_j|_1 / eps)``, ``v`` of shape ``(B, N)``."""
        w = _to_finite(self._grid_view(v))
        for ax, alpha in enumerate(self.alphas):
            if w.shape[ax + 1] > 1:
                w = _along(w, ax + 1, _conv0, alpha)
        return _from_finite(w.reshape(w.shape[0], -1))

    apply_t = apply

    def transport_cost(self, u: Array, v: Array) -> Array:
        """``sum_ij |x_i - x_j|_1 exp(u[b, i] + v[b, j] - |x_i - x_j|_1 / eps)`` per batch row.

        ``|x - y|_1 = sum_a h_a |i_a - j_a|``: for each axis ``a`` the 1D kernel of that
        axis is replaced by ``h_a |i - j| exp(-alpha_a |i - j|)`` (computed by
        :func:`_log_laplace_moment`), the others kept.
        """
        w = self._grid_view(v)
        uu = np.asarray(u, dtype=float)
        total = np.zeros(w.shape[0])
        for a, h in enumerate(self.grid.spacing):
            if self.grid.shape[a] == 1:
                continue
            z = _to_finite(w)
            for ax, al in enumerate(self.alphas):
                if ax == a:
                    z = _along(z, ax + 1, _moment0, al)
                elif self.grid.shape[ax] > 1:
                    z = _along(z, ax + 1, _conv0, al)
            terms = uu + _from_finite(z.reshape(z.shape[0], -1))
            total += h * _sum_exp(terms)
        return total


def _sum_exp(logs: Array) -> Array:
    """``sum_i exp(logs[b, i])`` per row, without overflow warnings for ``-inf`` rows."""
    mx = np.max(logs, axis=1)
    safe = np.where(np.isfinite(mx), mx, 0.0)
    return np.asarray(np.exp(safe) * np.sum(np.exp(logs - safe[:, None]), axis=1))


class DenseLogKernel:
    """Dense log-kernel ``log sum_j exp(v_j - C_ij / eps)`` for a cost matrix ``C`` (``n x m``).

    Parameters
    ----------
    x, y : ndarray
        Points of the two sides, shapes ``(n, d)`` and ``(m, d)``.
    metric : str
    eps : float

    Raises
    ------
    SizeLimitError
        ``n * m > DENSE_MAX_ENTRIES``.
    """

    def __init__(self, x: Array, y: Array, metric: str, eps: float, cost: Array | None = None) -> None:
        n, m = int(np.shape(x)[0]), int(np.shape(y)[0])
        if n * m > DENSE_MAX_ENTRIES:
            raise SizeLimitError(
                f"the dense entropic kernel would have {n} x {m} = {n * m} entries "
                f"(limit {DENSE_MAX_ENTRIES}); use histograms on one Grid with metric='cityblock' "
                "(separable kernel, O(N) memory) or fewer points"
            )
        self.x, self.y, self.metric = x, y, metric
        self.cost = pairwise_distances(x, y, metric) if cost is None else cost
        self.eps = float(eps)
        self.n, self.m = n, m
        self._neg = -self.cost / self.eps

    def with_eps(self, eps: float) -> "DenseLogKernel":
        """The same cost matrix with another ``eps``."""
        return DenseLogKernel(self.x, self.y, self.metric, eps, cost=self.cost)

    @staticmethod
    def _lse(a: Array, axis: int) -> Array:
        mx = np.max(a, axis=axis, keepdims=True)
        mx = np.where(np.isfinite(mx), mx, 0.0)
        with np.errstate(divide="ignore"):  # an all -inf row: log 0 = -inf, as it should be
            return np.asarray(np.log(np.sum(np.exp(a - mx), axis=axis)) + np.squeeze(mx, axis=axis))

    def apply(self, v: Array) -> Array:
        """``out[b, i] = log sum_j exp(v[b, j] - C_ij / eps)``."""
        v = np.atleast_2d(np.asarray(v, dtype=float))
        return np.stack([self._lse(self._neg + vb[None, :], axis=1) for vb in v])

    def apply_t(self, u: Array) -> Array:
        """``out[b, j] = log sum_i exp(u[b, i] - C_ij / eps)``."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        return np.stack([self._lse(self._neg + ub[:, None], axis=0) for ub in u])

    def transport_cost(self, u: Array, v: Array) -> Array:
        """``sum_ij C_ij exp(u[b, i] + v[b, j] - C_ij / eps)`` per batch row."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        v = np.atleast_2d(np.asarray(v, dtype=float))
        return np.array([float(np.sum(self.cost * np.exp(ub[:, None] + vb[None, :] + self._neg)))
                         for ub, vb in zip(u, v, strict=True)])
