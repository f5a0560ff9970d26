"""A ScrollView clipped by the scissor test instead of Kivy's stencil.

Kivy's ScrollView is a StencilView: each frame it draws its box into the stencil buffer, tests
every pixel drawn inside it against that, and draws the box again to undo it. On the kiosk's
renderer (llvmpipe: the CPU draws every frame) that cost ~15 ms of CPU per frame on the card
screen, about half of it. A window-aligned box needs no stencil: the scissor test (``glScissor``)
clips to it for free. A rotated window (portrait) is not window-aligned, so there the stencil
stays.
"""

from __future__ import annotations

from kivy.core.window import Window
from kivy.graphics import Rectangle, StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.uix.scrollview import ScrollView

from screens.kv import load_beside


class ClippedScrollView(ScrollView):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if Window.rotation % 360 == 0:
            self._scissor = ScissorPush(x=0, y=0, width=0, height=0)
            self.canvas.before.insert(0, self._scissor)
            self.canvas.after.add(ScissorPop())
            self.bind(pos=self._clip, size=self._clip)
            self._clip()
        else:  # as Kivy's StencilView does
            self._scissor = None
            self._box = Rectangle()
            for instruction in reversed((StencilPush(), self._box, StencilUse())):
                self.canvas.before.insert(0, instruction)
            self._box_after = Rectangle()
            for instruction in (StencilUnUse(), self._box_after, StencilPop()):
                self.canvas.after.add(instruction)
            self.bind(pos=self._clip, size=self._clip)
            self._clip()

    def _clip(self, *_args) -> None:
        if self._scissor is None:
            for box in (self._box, self._box_after):
                box.pos, box.size = self.pos, self.size
            return
        x, y = self.to_window(*self.pos)
        self._scissor.x, self._scissor.y = int(round(x)), int(round(y))
        self._scissor.width, self._scissor.height = (int(round(v)) for v in self.size)

    def clip_box(self) -> tuple[int, int, int, int] | None:
        """The scissor box in window pixels (None when the stencil clips instead)."""
        if self._scissor is None:
            return None
        return self._scissor.x, self._scissor.y, self._scissor.width, self._scissor.height


load_beside(__file__)
