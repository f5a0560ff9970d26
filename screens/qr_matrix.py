"""QR codes made fast, module for module the same as the ``qrcode`` library makes them.

``qrcode`` chooses the mask by building the whole matrix eight times (function patterns, data
placement, mask) and scoring each with ``util.lost_point``, all module by module in Python: ~6 ms
for a wallet payment code, most of it in the mask choice. Here the data is placed once; the whole
matrix is one Python int (bit ``row * side + col`` is the module at row, col; 1 is dark), so each
mask is one XOR, and the penalty is computed on that int with shifts, ANDs and ``bit_count``,
every row (and every column: a shift by ``side``) at once.

The result is the same as ``QRCode(border=0, error_correction=..., ...).add_data(payload);
make(fit=True); get_matrix()``: the same version, the same mask (qrcode's own tie rule: the first
of equal penalties wins) and the same modules. Like qrcode, the mask is scored with the format
and version information and the dark module all light (qrcode builds its trial matrices with
``test=True``), and its penalty rules are kept as qrcode computes them (``lost_point``, rules 1
to 4; ``tests/screens/test_qr_matrix.py`` checks both against qrcode on random input).

The function patterns, format and version bits, the data placement order and the masks come from
qrcode's own code, once per version (cached). If those internals are missing (a qrcode this
module does not know), codes are made by qrcode itself, and that is logged once.
"""

from __future__ import annotations

import logging
import operator
from functools import lru_cache

log = logging.getLogger(__name__)

ERROR_CORRECT_M = 0  # qrcode.constants.ERROR_CORRECT_M

_fallback_logged = False


def qr_code(payload: str, error_correction: int = ERROR_CORRECT_M) -> tuple[int, int]:
    """The code without quiet zone as (side in modules, modules as an int: bit ``row * side +
    col`` set for a dark module)."""
    import qrcode  # here, not at the top: not needed before the first frame (start-up)

    code = qrcode.QRCode(border=0, error_correction=error_correction)
    code.add_data(payload)
    try:
        return _fast(code)
    except (AttributeError, TypeError) as error:  # internals renamed or changed
        _log_fallback(error)
    code.make(fit=True)
    matrix = code.get_matrix()
    return len(matrix), _bits_of(matrix)


def qr_matrix(payload: str, error_correction: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The code as rows of booleans (True is dark), as qrcode's ``get_matrix()`` with no border."""
    side, bits = qr_code(payload, error_correction)
    cells = format(bits, f"0{side * side}b")[::-1]
    return [[ch == "1" for ch in cells[r:r + side]] for r in range(0, side * side, side)]


_LUMINANCE = bytes.maketrans(b"01", b"\xff\x00")


def luminance(payload: str, quiet: int, error_correction: int = ERROR_CORRECT_M) -> tuple[int, bytes]:
    """(side in modules, one luminance byte a module row by row, top row first: 0 dark, 255
    light), with ``quiet`` light modules around the code."""
    side, bits = qr_code(payload, error_correction)
    cells = format(bits, f"0{side * side}b")[::-1].encode("ascii").translate(_LUMINANCE)
    full = side + 2 * quiet
    gap = b"\xff" * (2 * quiet)
    rows = gap.join(cells[r:r + side] for r in range(0, side * side, side))
    edge = b"\xff" * (full * quiet + quiet)
    return full, edge + rows + edge


def lost_point(bits: int, side: int) -> int:
    """qrcode's ``util.lost_point`` of a matrix given as an int (see ``qr_code``)."""
    full, col_ok1, col_ok10, row_ok1, row_ok10 = _limits(side)
    light = ~bits & full
    # Neighbours equal: to the right (cells with col <= side-2) and below (row <= side-2).
    right = ~(bits ^ (bits >> 1)) & col_ok1
    below = ~(bits ^ (bits >> side)) & row_ok1

    # Rule 1: a run of L >= 5 same-colour modules costs L - 2 = (L - 4 windows of five) + 2.
    points = 0
    for same, step in ((right, 1), (below, side)):
        fives = same & (same >> step) & (same >> 2 * step) & (same >> 3 * step)
        starts = fives & ~(same << step)
        points += fives.bit_count() + 2 * starts.bit_count()

    # Rule 2: 3 for each 2x2 block of one colour (overlapping blocks all count).
    points += 3 * (below & (below >> 1) & right).bit_count()

    # Rule 3: 40 for each 10111010000 or 00001011101 in a row or a column.
    for step, ok in ((1, col_ok10), (side, row_ok10)):
        d = [bits >> (k * step) for k in range(11)]
        w = [light >> (k * step) for k in range(11)]
        common = ok & w[1] & d[4] & w[5] & d[6] & w[9]
        first = common & d[0] & d[2] & d[3] & w[7] & w[8] & w[10]
        second = common & w[0] & w[2] & w[3] & d[7] & d[8] & d[10]
        points += 40 * (first.bit_count() + second.bit_count())

    # Rule 4: 10 for every whole 5% the dark share is away from 50%, as qrcode computes it.
    percent = float(bits.bit_count()) / (side**2)
    points += int(abs(percent * 100 - 50) / 5) * 10
    return points


@lru_cache(maxsize=8)
def _limits(side: int) -> tuple[int, int, int, int, int]:
    """Masks of the cells where a look 1 or 10 modules right (or down) stays in the matrix."""
    full = (1 << side * side) - 1

    def cols_up_to(last: int) -> int:
        row = (1 << (last + 1)) - 1
        return sum(row << (r * side) for r in range(side))

    def rows_up_to(last: int) -> int:
        return (1 << ((last + 1) * side)) - 1

    return full, cols_up_to(side - 2), cols_up_to(side - 11), rows_up_to(side - 2), rows_up_to(side - 11)


def _fast(code) -> tuple[int, int]:
    layout, data_bits = _placed(code)
    best_mask = 0
    best_points = 0
    for mask in range(8):
        points = lost_point(layout.test_functions | (data_bits ^ layout.masks[mask]), layout.side)
        if mask == 0 or best_points > points:
            best_points = points
            best_mask = mask
    return layout.side, layout.functions[best_mask] | (data_bits ^ layout.masks[best_mask])


def _placed(code) -> tuple[_Layout, int]:
    """The version's layout and the data (unmasked) placed in the data cells, as an int."""
    from qrcode import util

    code.best_fit(start=code.version)  # as make(fit=True) does
    version = code.version
    layout = _layout(version, code.error_correction)
    data = util.create_data(version, code.error_correction, code.data_list)
    code.data_cache = data
    placed = "".join(map("{:08b}".format, data))[:layout.data_count]
    placed += "0" * (layout.data_count - len(placed) + 1)  # + the "0" function cells read
    return layout, int("".join(layout.gather(placed)), 2)


class _Layout:
    """Everything about a version's matrix that does not depend on the data, from qrcode's code."""

    def __init__(self, version: int, error_correction: int):
        import qrcode
        from qrcode import util

        side = self.side = version * 4 + 17
        scratch = qrcode.QRCode(version=version, error_correction=error_correction, border=0)
        scratch.modules_count = side
        scratch.modules = [[None] * side for _ in range(side)]
        scratch.setup_position_probe_pattern(0, 0)
        scratch.setup_position_probe_pattern(side - 7, 0)
        scratch.setup_position_probe_pattern(0, side - 7)
        scratch.setup_position_adjust_pattern()
        scratch.setup_timing_pattern()
        blank = [row[:] for row in scratch.modules]

        def with_info(test: bool, mask: int) -> list[list]:
            scratch.modules = [row[:] for row in blank]
            scratch.setup_type_info(test, mask)
            if version >= 7:
                scratch.setup_type_number(test)
            return scratch.modules

        trial = with_info(True, 0)
        self.test_functions = _bits_of(trial)  # what qrcode scores: format/version bits light
        self.functions = [_bits_of(with_info(False, mask)) for mask in range(8)]

        # Data cells in the order qrcode's map_data fills them (two-column zigzag, right to left,
        # skipping the vertical timing column).
        order: list[int] = []
        row, step = side - 1, -1
        for col in range(side - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if trial[row][c] is None:
                        order.append(row * side + c)
                row += step
                if row < 0 or side <= row:
                    row -= step
                    step = -step
                    break
        self.data_count = len(order)
        # For each cell from the highest bit down, its index in the placed data bits; function
        # cells read the "0" after them (their colour comes from test_functions/functions).
        index = dict.fromkeys(range(side * side), len(order))
        for k, cell in enumerate(order):
            index[cell] = k
        self.gather = operator.itemgetter(*(index[cell] for cell in range(side * side - 1, -1, -1)))

        data_cells = sum(1 << cell for cell in order)
        # Every mask repeats every 12 rows (i mod 4 and i mod 6) and 6 columns (j mod 6).
        self.masks = []
        for mask in range(8):
            darkens = util.mask_func(mask)
            periods = [sum(1 << c for c in range(side) if darkens(r, c)) for r in range(12)]
            whole = sum(periods[r % 12] << (r * side) for r in range(side))
            self.masks.append(whole & data_cells)


@lru_cache(maxsize=8)
def _layout(version: int, error_correction: int) -> _Layout:
    return _Layout(version, error_correction)


def _bits_of(matrix) -> int:
    side = len(matrix)
    cells = "".join("1" if matrix[r][c] else "0" for r in range(side - 1, -1, -1) for c in range(side - 1, -1, -1))
    return int(cells, 2)


def _log_fallback(error: Exception) -> None:
    global _fallback_logged
    if not _fallback_logged:
        _fallback_logged = True
        log.warning("qrcode internals not as expected (%s): QR codes made by qrcode itself (slower)", error)
