"""The crew's ticket list as cards: one tap opens, a swipe scrolls, the order holds still.

Each card shows, in three lines a crew reads at arm's length: the status chip, the
priority and the service; the address; the SLA clock ("due in 2 h", "overdue 3 h") and
the distance and direction from where the device is. The list is a `QListView` over the
same `TicketTableModel` as before (its precomputed keys keep 50,000 rows fast), painted
by `TicketCardDelegate` with the theme's colours; `QScroller` gives kinetic scrolling
to a finger or a mouse, and a tap that did not scroll opens the ticket.
"""

from __future__ import annotations

import time
from typing import Any

from fieldapp.labels import service_label, status_label
from fieldapp.qt import (
    QAbstractItemView,
    QColor,
    QEvent,
    QFont,
    QFontMetrics,
    QListView,
    QModelIndex,
    QPainter,
    QPen,
    QPoint,
    QRect,
    QScroller,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    Signal,
    tr,
)
from fieldapp.theme import SPACE, TOUCH, current
from fieldapp.ticketmodel import TicketTableModel, sla_clock, sla_state
from maps.geo import compass, format_distance

#: Lines of text on a card.
CARD_LINES = 3


class TicketCardDelegate(QStyledItemDelegate):
    """Paints one ticket as a card from the model's row (not from its table columns)."""

    def __init__(self, model: TicketTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(TOUCH * 4, max(TOUCH * 2, CARD_LINES * line + 3 * SPACE))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        colors = current()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = option.rect.adjusted(SPACE // 2, SPACE // 2, -SPACE // 2, -SPACE // 2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = colors.selection if selected else colors.surface
        text = colors.on_selection if selected else colors.text
        painter.setPen(QPen(QColor(colors.selection if selected else colors.border), 2))
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(card, 6, 6)

        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.lineSpacing()
        inner = card.adjusted(SPACE + 2, SPACE, -SPACE - 2, -SPACE)
        top = inner.top()

        # Line 1: status chip, priority, service; distance and direction on the right.
        chip_text = status_label(row["status"]) + (" ⟳" if row.get("pending") else "")
        chip_fg, chip_bg = colors.status.get(row["status"], (colors.on_primary, colors.primary))
        chip_width = metrics.horizontalAdvance(chip_text) + 2 * SPACE
        chip = QRect(inner.left(), top, chip_width, line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(chip_bg))
        painter.drawRoundedRect(chip, line // 2, line // 2)
        painter.setPen(QColor(chip_fg))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)

        where = _distance_text(row)
        where_width = metrics.horizontalAdvance(where) + SPACE if where else 0
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(text))
        head = f"P{row['priority']}  {service_label(row['service_code'])}"
        head_rect = QRect(chip.right() + SPACE, top, inner.right() - chip.right() - SPACE - where_width, line)
        painter.drawText(head_rect, _left, QFontMetrics(bold).elidedText(head, _elide, head_rect.width()))
        painter.setFont(font)
        if where:
            painter.drawText(QRect(inner.right() - where_width, top, where_width, line), _right, where)

        # Line 2: the address.
        address_rect = QRect(inner.left(), top + line, inner.width(), line)
        painter.drawText(address_rect, _left, metrics.elidedText(str(row["address"]), _elide, inner.width()))

        # Line 3: the SLA clock, coloured by how late it is.
        state = sla_state(row, self.model.now)
        clock = sla_clock(row, self.model.now)
        if clock:
            if not selected and state == "overdue":
                painter.setPen(QColor(colors.danger))
                painter.setFont(bold)
            elif not selected and state == "at_risk":
                painter.setPen(QColor(colors.warning))
                painter.setFont(bold)
            clock_rect = QRect(inner.left(), top + 2 * line, inner.width(), line)
            painter.drawText(clock_rect, _left, clock)
        painter.restore()


_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_elide = Qt.TextElideMode.ElideRight


def _distance_text(row: dict[str, Any]) -> str:
    distance = row.get("_dist")
    if distance is None:
        return ""
    way = compass(row.get("_bearing"))
    return f"{format_distance(distance)} {way}".strip()


class TicketCardList(QListView):
    """The card list: kinetic scrolling, one tap opens, Enter opens the current card.

    `last_touched` is when a finger (or the mouse) last pressed or scrolled the list:
    the screen holds the order still while it is recent.
    """

    open_ticket = Signal(str)

    def __init__(self, model: TicketTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(TicketCardDelegate(model, self))
        self.setAccessibleName(tr("Tickets"))
        self.setUniformItemSizes(True)
        # Lay out a big list in batches between events: a re-sort of 50,000 cards never
        # holds the window while the cards far below the screen are placed.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        self.setSpacing(0)
        self.last_touched = 0.0
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self._scroller = QScroller.scroller(self.viewport())
        self._scroller.stateChanged.connect(self._scroller_state)
        self._flicked = False
        self.clicked.connect(self._tapped)
        self.activated.connect(self._tapped)
        self.verticalScrollBar().valueChanged.connect(self._touched)
        self.viewport().installEventFilter(self)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel):
            self._touched()
        return super().eventFilter(watched, event)

    def _touched(self, *_args: object) -> None:
        self.last_touched = time.monotonic()

    def _scroller_state(self, state: QScroller.State) -> None:
        self._touched()
        if state in (QScroller.State.Dragging, QScroller.State.Scrolling):
            self._flicked = True

    def _tapped(self, index: QModelIndex) -> None:
        if self._flicked:  # the finger scrolled the list: that was no tap
            self._flicked = self._scroller.state() != QScroller.State.Inactive
            return
        if index.isValid():
            self.open_ticket.emit(self.model().ticket_id(index.row()))

    def mousePressEvent(self, event: Any) -> None:
        if self._scroller.state() == QScroller.State.Inactive:
            self._flicked = False
        super().mousePressEvent(event)

    def top_ticket(self) -> str | None:
        """The ticket of the card at the top of the view (to keep it in view after a re-sort)."""
        index = self.indexAt(QPoint(SPACE, SPACE))  # inside the top card, not the gap above it
        return self.model().ticket_id(index.row()) if index.isValid() else None

    def show_ticket_at_top(self, ticket_id: str) -> None:
        model = self.model()
        ids = model.visible_ids()
        if ticket_id in ids:
            self.scrollTo(model.index(ids.index(ticket_id), 0), QAbstractItemView.ScrollHint.PositionAtTop)
