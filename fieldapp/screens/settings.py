"""Settings of this device: theme (sunlight or dark), language, and whether it shares its
position with the crew's supervisors (off until turned on), each one tap away.

A choice takes effect at once and is stored in the device profile (`fieldapp.display`).
A theme repaints every screen where it stands; a new language is installed and
`language_changed` tells the window, which rebuilds its screens in that language
(see `fieldapp.app.WindowHost`). This screen retranslates itself on ``LanguageChange``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp import display, i18n, theme
from fieldapp.qt import (
    TOUCH,
    QApplication,
    QButtonGroup,
    QEvent,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task, with_replica


def _choice_button(name: str) -> QPushButton:
    button = QPushButton()
    button.setObjectName(name)
    button.setCheckable(True)
    button.setMinimumHeight(TOUCH + 16)
    button.setMinimumWidth(TOUCH * 3)
    return button


class SettingsScreen(QWidget):
    back = Signal()
    #: The theme's name, after it was applied.
    theme_changed = Signal(str)
    #: The language choice ("system", fi, sv, en), after it was installed.
    language_changed = Signal(str)
    #: Position sharing was turned on or off (stored; the next sync tells the server).
    sharing_changed = Signal(bool)

    def __init__(self, profile: Path, parent: Any = None, *, replica_path: Path | None = None) -> None:
        super().__init__(parent)
        self.profile = Path(profile)
        #: The device's replica, where position sharing is kept (it exists once signed in).
        self.replica_path = Path(replica_path) if replica_path else self.profile / "replica.sqlite"
        self.setObjectName("settings")
        self.back_button = touch_button("")
        self.back_button.setObjectName("settings_back")
        self.back_button.clicked.connect(self.back.emit)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)

        self.theme_caption = QLabel()
        self.theme_caption.setProperty("role", "title")
        self.theme_group = QButtonGroup(self)
        themes = QHBoxLayout()
        self.theme_buttons: dict[str, QPushButton] = {}
        for name in theme.THEME_NAMES:
            button = _choice_button(f"theme_{name}")
            self.theme_group.addButton(button)
            button.clicked.connect(lambda _c=False, n=name: self.choose_theme(n))
            themes.addWidget(button)
            self.theme_buttons[name] = button
        themes.addStretch(1)

        self.language_caption = QLabel()
        self.language_caption.setProperty("role", "title")
        self.language_group = QButtonGroup(self)
        languages = QGridLayout()
        self.language_buttons: dict[str, QPushButton] = {}
        for index, choice in enumerate(i18n.CHOICES):
            button = _choice_button(f"language_{choice}")
            self.language_group.addButton(button)
            button.clicked.connect(lambda _c=False, c=choice: self.choose_language(c))
            languages.addWidget(button, index // 2, index % 2)
            self.language_buttons[choice] = button
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "muted")

        self.sharing_caption = QLabel()
        self.sharing_caption.setProperty("role", "title")
        self.sharing_button = _choice_button("share_position")
        self.sharing_button.clicked.connect(self.choose_sharing)
        self.sharing_note = QLabel()
        self.sharing_note.setWordWrap(True)
        self.sharing_note.setProperty("role", "muted")

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.theme_caption)
        column.addLayout(themes)
        column.addSpacing(theme.SPACE * 2)
        column.addWidget(self.language_caption)
        column.addLayout(languages)
        column.addWidget(self.note)
        column.addSpacing(theme.SPACE * 2)
        column.addWidget(self.sharing_caption)
        column.addWidget(self.sharing_button)
        column.addWidget(self.sharing_note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self._tasks = 0
        self.retranslate()
        self.show_current()

    # -- state -------------------------------------------------------------------------
    def show_current(self) -> None:
        """Check the buttons of the theme and language in force."""
        self.theme_buttons[theme.current().name].setChecked(True)
        self.language_buttons[i18n.current_choice()].setChecked(True)
        self._run(lambda r: bool(r.get("share_position", False)), self._show_sharing)

    def _run(self, work: Any, done: Any = None) -> None:
        if not self.replica_path.exists():
            return  # not signed in: nothing to share yet
        self._tasks += 1

        def finished(result: Any) -> None:
            self._tasks -= 1
            if done is not None:
                done(result)

        def failed(_exc: Exception) -> None:
            self._tasks -= 1

        run_task(with_replica(self.replica_path, work), finished, failed)

    def _show_sharing(self, on: bool) -> None:
        self.sharing_button.setChecked(on)
        self.sharing_button.setText(
            tr("On: my supervisor sees where this device is") if on else tr("Off: my position is not shared")
        )

    def choose_sharing(self, on: bool) -> None:
        """Share this device's position with the crew's supervisors, or stop (one tap)."""
        self._show_sharing(on)
        self._run(lambda r: r.set_position_sharing(on), lambda _r: self.sharing_changed.emit(on))

    def choose_theme(self, name: str) -> None:
        """Apply the theme to the whole app and remember it on this device."""
        theme.apply_theme(QApplication.instance(), name)  # type: ignore[arg-type]
        self.theme_buttons[name].setChecked(True)
        self._store()
        self.theme_changed.emit(name)

    def choose_language(self, choice: str) -> None:
        """Speak the chosen language from now on and remember it on this device."""
        if choice == i18n.current_choice():
            return
        i18n.install_language(choice)
        self.language_buttons[choice].setChecked(True)
        self._store()
        self.language_changed.emit(choice)

    def _store(self) -> None:
        chosen = display.DisplaySettings(theme=theme.current().name, language=i18n.current_choice())
        run_task(lambda: display.save(self.profile, chosen))

    # -- words -------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.back_button.setText(tr("← Back"))
        self.back_button.setAccessibleName(tr("Back"))
        self.title.setText(tr("Settings"))
        self.theme_caption.setText(tr("Theme"))
        self.theme_buttons["sunlight"].setText(tr("Sunlight"))
        self.theme_buttons["sunlight"].setToolTip(tr("Black on white, for reading outdoors"))
        self.theme_buttons["dark"].setText(tr("Dark"))
        self.theme_buttons["dark"].setToolTip(tr("Light on black, for night shifts"))
        self.language_caption.setText(tr("Language"))
        for choice, button in self.language_buttons.items():
            button.setText(i18n.language_choice_label(choice))
        self.note.setText(tr("These choices are kept on this device, also after signing out."))
        self.sharing_caption.setText(tr("Share my position"))
        self.sharing_note.setText(
            tr(
                "While on, each sync sends this device's last position to the server; only your "
                "crew's supervisors see it. Turning it off removes it from the server at the next sync."
            )
        )
        self._show_sharing(self.sharing_button.isChecked())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def busy(self) -> bool:
        return self._tasks > 0
