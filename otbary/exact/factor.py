"""Sparse symmetric factorisation for the interior point: MKL PARDISO, or SciPy's SuperLU.

:class:`Factor` factorises matrices of one fixed sparsity pattern (the normal matrices
``A Theta A^T + delta I`` of :mod:`otbary.exact.ipm`) again and again, reusing the symbolic
analysis. PARDISO is located by ``pypardiso`` (a dependency on x86-64) and called through
``ctypes`` with the index arrays bound once (LDL^T with tiny-pivot perturbation); where
``pypardiso`` or its internals are missing, SuperLU factorises instead (``Factor.backend``
says which). A PARDISO error raises ``FloatingPointError``, which the interior point reports
as a numerical failure.
"""

from __future__ import annotations

import copy
import ctypes
from typing import Any, Optional

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["Factor", "PARDISO_AMD_BELOW", "PARDISO_IPARM", "PARDISO_MTYPE", "PARDISO_SERIAL_BELOW"]

Vector = NDArray[np.float64]

#: PARDISO matrix type: -2 = real symmetric indefinite (Bunch-Kaufman with pivot
#: perturbation, robust to the near-singular normal matrices of late iterations).
PARDISO_MTYPE = -2
#: PARDISO settings (0-based ``iparm``): user values, METIS ordering (but see
#: :data:`PARDISO_AMD_BELOW`), no PARDISO
#: refinement (done here against the exact matrix), pivot perturbation ``1e-13``,
#: Bunch-Kaufman pivoting.
PARDISO_IPARM = {0: 1, 1: 2, 7: 0, 9: 13, 20: 1}
#: Matrices with fewer rows are ordered by minimum degree (``iparm[1] = 0``) instead of
#: METIS: less fill on the grid barycenter LPs (24x24, K = 3: 52k instead of 59k factor
#: entries, 0.77 instead of 0.99 ms per factorisation; 128x128: 3.1M instead of 3.4M, a
#: 20% faster analysis and factorisation). Not above: at 256x256 (K = 3, 197k rows) it
#: was faster too (47 instead of 55 s) but certified only ``1.3e-8`` instead of ``9.5e-10``.
PARDISO_AMD_BELOW = 100000
#: Matrices with fewer rows are factorised on one thread.
PARDISO_SERIAL_BELOW = 20000


_PARDISO: list[Any] = []


def _pardiso_solver() -> Any:
    """A fresh PARDISO handle, or ``None`` without ``pypardiso``.

    Locating MKL is slow (a directory walk), so the first handle is kept as a template and
    later ones are shallow copies with their own internal state (``pt``, ``iparm``).
    """
    if not _PARDISO:
        try:
            import pypardiso

            template = pypardiso.PyPardisoSolver(mtype=PARDISO_MTYPE)
            # _Factor calls MKL through pypardiso's ctypes handle directly (no per-call
            # copies); a pypardiso without these internals falls back to SuperLU.
            needed = ("_mkl_pardiso", "_pt_type", "pt", "perm", "iparm", "mtype", "libmkl")
            if not all(hasattr(template, a) for a in needed):
                raise AttributeError("pypardiso internals changed")
            for i, v in PARDISO_IPARM.items():
                template.iparm[i] = v
            _PARDISO.append(template)
        except Exception:  # pragma: no cover - depends on the platform
            _PARDISO.append(None)
    template = _PARDISO[0]
    if template is None:
        return None
    solver = copy.copy(template)
    solver.pt = np.zeros_like(template.pt)
    solver.iparm = template.iparm.copy()
    solver.perm = np.zeros_like(template.perm)
    return solver


class Factor:
    """Sparse symmetric positive definite solver for one fixed pattern (upper triangle, CSR)."""

    def __init__(self, pattern: sp.csr_matrix) -> None:
        self.pattern = pattern
        self.backend = "superlu"
        self._pardiso: Any = None
        self._lu: Any = None
        self._pardiso = _pardiso_solver()
        self._threads: Optional[int] = None
        if self._pardiso is not None:
            self.backend = "pardiso"
            if pattern.shape[0] < PARDISO_SERIAL_BELOW:
                # thread start-up costs more than it saves on small matrices; the count is
                # changed once per matrix (PARDISO wants it fixed from analysis to release)
                mkl = self._pardiso.libmkl
                self._threads = int(mkl.MKL_Get_Max_Threads())
                mkl.MKL_Set_Num_Threads(ctypes.c_int(1))
            if pattern.shape[0] < PARDISO_AMD_BELOW:
                self._pardiso.iparm[1] = 0
            self._bind()
        self._analysed = False

    def _bind(self) -> None:
        """Fixed ``ctypes`` arguments of the PARDISO calls (the pattern never changes)."""
        ps = self._pardiso
        i32p = ctypes.POINTER(ctypes.c_int32)
        # 1-based CSR indices, kept alive as long as the handle
        self._ia = np.ascontiguousarray(self.pattern.indptr, dtype=np.int32) + 1
        self._ja = np.ascontiguousarray(self.pattern.indices, dtype=np.int32) + 1
        self._args = (
            ps.pt.ctypes.data_as(ctypes.POINTER(ps._pt_type[0])),
            ctypes.byref(ctypes.c_int32(1)),
            ctypes.byref(ctypes.c_int32(1)),
            ctypes.byref(ctypes.c_int32(ps.mtype)),
        )
        self._tail = (
            self._ia.ctypes.data_as(i32p),
            self._ja.ctypes.data_as(i32p),
            ps.perm.ctypes.data_as(i32p),
            ctypes.byref(ctypes.c_int32(1)),
            ps.iparm.ctypes.data_as(i32p),
            ctypes.byref(ctypes.c_int32(0)),
        )
        self._n = ctypes.byref(ctypes.c_int32(self.pattern.shape[0]))
        self._dptr = ctypes.POINTER(ctypes.c_double)

    def _call(self, phase: int, rhs: Vector) -> Vector:
        """One PARDISO call (``rhs``: a contiguous vector) straight through ``ctypes``.

        Same call as ``pypardiso``'s ``_call_pardiso`` without its per-call copies of the
        index arrays (a sizeable part of a call on small matrices).
        """
        rhs = np.ascontiguousarray(rhs, dtype=np.float64)
        x = np.zeros_like(rhs)
        err = ctypes.c_int32(0)
        data = np.ascontiguousarray(self.pattern.data, dtype=np.float64)
        self._pardiso._mkl_pardiso(
            *self._args, ctypes.byref(ctypes.c_int32(phase)), self._n, data.ctypes.data_as(self._dptr),
            *self._tail, rhs.ctypes.data_as(self._dptr), x.ctypes.data_as(self._dptr), ctypes.byref(err),
        )
        if err.value != 0:
            raise FloatingPointError(f"PARDISO error {err.value} in phase {phase}")
        return x

    def factorize(self, data: Vector) -> None:
        """Numeric factorisation of the matrix with upper-triangle values ``data``."""
        if not np.all(np.isfinite(data)):
            raise FloatingPointError("non-finite entries in the normal equations")
        self.pattern.data = data
        if self._pardiso is not None:
            dummy = np.zeros(self.pattern.shape[0])
            if not self._analysed:
                self._call(11, dummy)
                self._analysed = True
            self._call(22, dummy)
            return
        upper = self.pattern
        full = (upper + sp.triu(upper, k=1).T).tocsc()
        from scipy.sparse.linalg import splu

        self._lu = splu(full, permc_spec="MMD_AT_PLUS_A")

    def solve(self, rhs: Vector) -> Vector:
        """Solve with the last factorisation."""
        if self._pardiso is not None:
            return self._call(33, rhs)
        return np.asarray(self._lu.solve(rhs))

    def release(self) -> None:
        """Free PARDISO's memory for this matrix."""
        if self._pardiso is not None and self._analysed:
            self._call(-1, np.zeros(self.pattern.shape[0]))
            self._analysed = False
        if self._threads is not None:
            self._pardiso.libmkl.MKL_Set_Num_Threads(ctypes.c_int(self._threads))
            self._threads = None
