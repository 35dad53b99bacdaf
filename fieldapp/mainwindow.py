"""The main window: sign-in, then the screens of the signed-in role, with the sync strip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp import mapsettings
from fieldapp.bridge import SyncBridge
from fieldapp.labels import role_label
from fieldapp.mapview import register_schemes
from fieldapp.qt import (
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    QShortcut,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    touch_button,
    tr,
)
from fieldapp.screens.conflicts import ConflictsScreen
from fieldapp.screens.mywork import MyWorkScreen
from fieldapp.screens.settings import SettingsScreen
from fieldapp.screens.signin import SignInScreen
from fieldapp.screens.statusbar import SyncStatusBar
from fieldapp.screens.ticketview import TicketScreen
from fieldapp.tasks import run_task, tasks_running, wait_for_tasks
from sync.events import SyncState
from sync.replica import Replica

REPLICA_FILE = "replica.sqlite"
register_schemes()  # the maps' tiles:// scheme, before any QApplication exists (no-op if done)


def _signed_in_user(path: Path) -> dict[str, Any] | None:
    replica = Replica(path)
    try:
        return replica.get("user") if replica.get("token") else None
    finally:
        replica.close()


class MainWindow(QMainWindow):
    def __init__(self, profile: Path, *, sync_interval: float = 120.0) -> None:
        super().__init__()
        self.profile = Path(profile)
        self.replica_path = self.profile / REPLICA_FILE
        self.sync_interval = sync_interval
        self.bridge: SyncBridge | None = None
        self.gps: Any = None
        self.user: dict[str, Any] | None = None
        self.setWindowTitle(tr("Field app"))
        self.setMinimumSize(640, 480)

        from fieldapp.app import RESOURCES

        #: Where maps find tiles: the profile's downloads first, then the shipped basemap.
        self.tile_sources = [mapsettings.tiles_folder(self.profile), RESOURCES / "basemap"]
        self.prefetch_dialog: Any = None
        self.stack = QStackedWidget()
        self.signin = SignInScreen(self.replica_path)
        self.mywork = MyWorkScreen(self.replica_path, tile_sources=self.tile_sources)
        self.ticket = TicketScreen(self.replica_path, tile_sources=self.tile_sources)
        self.conflicts = ConflictsScreen(self.replica_path)
        self.dispatch: Any = None
        self.settings = SettingsScreen(self.profile, replica_path=self.replica_path)
        self.settings.back.connect(lambda: self.show_view(self._before_settings))
        self.settings.sharing_changed.connect(lambda _on: self.bridge and self.bridge.sync_now())
        self._before_settings = "mywork"
        for screen in (self.signin, self.mywork, self.ticket, self.conflicts, self.settings):
            self.stack.addWidget(screen)

        self.status = SyncStatusBar()
        self.nav = QHBoxLayout()
        self.nav_buttons: dict[str, Any] = {}
        self.user_label = QLabel()
        self.announce = QLabel()
        self.announce.setProperty("role", "pending")
        self.announce.setAccessibleName(tr("New tickets"))
        for key, text in (
            ("mywork", tr("My work")),
            ("dispatch", tr("Dispatch")),
            ("conflicts", tr("Conflicts")),
        ):
            button = touch_button(text)
            button.clicked.connect(lambda _c=False, k=key: self.show_view(k))
            self.nav.addWidget(button)
            self.nav_buttons[key] = button
        self.map_download_button = touch_button(tr("Offline map…"), tr("Download map for my work"))
        self.map_download_button.clicked.connect(self.open_prefetch)
        self.nav.addWidget(self.map_download_button)
        self.settings_button = touch_button(tr("Settings"))
        self.settings_button.setObjectName("nav_settings")
        self.settings_button.clicked.connect(lambda: self.show_view("settings"))
        self.nav.addWidget(self.settings_button)
        # Who is signed in gives way on a narrow screen; the buttons keep their whole words.
        for label in (self.announce, self.user_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.nav.addWidget(self.announce, 1)
        self.nav.addWidget(self.user_label, 1)
        self.sign_out_button = touch_button(tr("Sign out"))
        self.sign_out_button.clicked.connect(self.sign_out)
        self.nav.addWidget(self.sign_out_button)
        self.nav_bar = QWidget()
        self.nav_bar.setLayout(self.nav)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)

        self.signin.signed_in.connect(self._signed_in)
        self.mywork.open_ticket.connect(self.open_ticket)
        self.conflicts.open_ticket.connect(self.open_ticket)
        self.ticket.back.connect(lambda: self.show_view("mywork"))
        self.ticket.changed.connect(self._local_change)
        self.conflicts.changed.connect(self._local_change)
        self.status.sync_requested.connect(self.sync_now)
        self.status.conflicts_requested.connect(lambda: self.show_view("conflicts"))
        self.status.escalations_requested.connect(self.show_escalations)
        QShortcut(QKeySequence("F5"), self, activated=self.sync_now)
        QShortcut(QKeySequence("Ctrl+1"), self, activated=lambda: self.show_view("mywork"))
        QShortcut(QKeySequence("Ctrl+2"), self, activated=lambda: self.show_view("dispatch"))
        QShortcut(QKeySequence("Ctrl+3"), self, activated=lambda: self.show_view("conflicts"))

        self.profile.mkdir(parents=True, exist_ok=True)
        user = _signed_in_user(self.replica_path)
        if user:
            self._start(user)  # remembered device: works offline straight away
        else:
            self.show_view("signin")

    # -- session -----------------------------------------------------------------------
    def _signed_in(self, user: dict[str, Any]) -> None:
        self._start(user)

    def _start(self, user: dict[str, Any]) -> None:
        self.user = user
        crew = f" · {user['crew']}" if user.get("crew") else ""
        self.user_label.setText(f"{user['display_name']} ({role_label(user['role'])}{crew})")
        supervisor = user["role"] in ("supervisor", "admin")
        if supervisor and self.dispatch is None:
            from fieldapp.screens.dispatch import DispatchBoard

            self.dispatch = DispatchBoard(self.replica_path, tile_sources=self.tile_sources)
            self.dispatch.changed.connect(self._local_change)
            self.dispatch.open_ticket.connect(self.open_ticket)
            self.stack.addWidget(self.dispatch)
        self.nav_buttons["dispatch"].setVisible(supervisor)
        self.nav_bar.setVisible(True)
        if self.bridge is None:
            self.bridge = SyncBridge(self.replica_path, interval=self.sync_interval, parent=self)
            self.bridge.state_changed.connect(self._state_changed)
            self.bridge.new_tickets.connect(self._new_tickets)
            self.bridge.synced.connect(self._synced)
            self.ticket.gallery.follow(self.bridge)
            self.bridge.start()
        self.show_view("dispatch" if supervisor else "mywork")
        self._start_positioning()

    def _start_positioning(self) -> None:
        """Where the device is (system GPS, a serial receiver, or FIELDAPP_GPS=nmea:FILE)."""
        if self.gps is not None:
            return
        from fieldapp.positioning import PositionService

        service = PositionService.from_environment(self)
        if service is not None:
            self.use_position_service(service)

    def use_position_service(self, service: Any) -> None:
        """Follow this ``PositionService`` (replacing the current one) and start it."""
        if self.gps is not None:
            self.gps.close()
        self.gps = service
        service.moved.connect(self.mywork.set_position)  # nearest first, re-sorted after 25 m
        service.position_changed.connect(self.set_position)
        service.start()

    def set_position(self, lat: float, lon: float, accuracy: float) -> None:
        """A fix: the maps' dot, the ticket's way and "on site", the position recorded with edits."""
        self.mywork.show_position(lat, lon, accuracy)
        self.ticket.set_position(lat, lon, accuracy)
        if self.bridge is not None:
            self.bridge.engine.note_position(lat, lon, accuracy)  # sent at the next sync, if shared

    # -- offline map -----------------------------------------------------------------------
    def open_prefetch(self) -> Any:
        """The "Download map for my work" dialog."""
        from fieldapp.screens.prefetch import PrefetchDialog

        if self.prefetch_dialog is None:
            self.prefetch_dialog = PrefetchDialog(self.profile, self.replica_path, self)
            self.prefetch_dialog.downloaded.connect(self.refresh_maps)
        self.prefetch_dialog.show()
        self.prefetch_dialog.raise_()
        return self.prefetch_dialog

    def refresh_maps(self) -> None:
        """New tiles in the profile's cache: every map looks again."""
        for screen in (self.mywork, self.ticket.map_box, self.dispatch):
            view = getattr(screen, "map", None)
            if view is not None:
                view.refresh_tiles()

    def sign_out(self, *, confirm: Any = None) -> None:
        """Sign out: wipe the local copy, but never silently drop unsent work.

        `confirm(counts) -> bool` asks whether to discard unsent work (a dialog by default).
        """
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
        path = self.replica_path

        def counts() -> dict[str, int]:
            replica = Replica(path)
            try:
                found = replica.counts()
                photos = replica.upload_counts()  # photos whose bytes are not on the server
                found["pending"] += photos["waiting"] + photos["failed"]
                return found
            finally:
                replica.close()

        def decide(found: dict[str, int]) -> None:
            if (found["pending"] or found["rejected"]) and not (confirm or self._confirm_discard)(found):
                self._start(self.user or {})  # keep working; sync resumes
                return
            run_task(self._wipe, lambda _r: self._signed_out())

        run_task(counts, decide)

    def _confirm_discard(self, found: dict[str, int]) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Sign out"),
            tr(
                "{pending} change(s) have not reached the server yet and {rejected} were refused. "
                "Signing out now deletes them from this device for good."
            ).format(**found),
            parent=self,
        )
        discard = box.addButton(tr("Sign out and discard them"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("Stay signed in"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is discard

    def _wipe(self) -> None:
        replica = Replica(self.replica_path)
        try:
            replica.wipe()
        finally:
            replica.close()

    def _signed_out(self) -> None:
        self.user = None
        self.show_view("signin")

    def shutdown(self) -> None:
        """Stop background work; a running sync finishes first (nothing is cut off)."""
        if self.prefetch_dialog is not None:
            self.prefetch_dialog.close()
        for screen in (self.mywork, self.ticket, self.dispatch):
            if screen is not None:
                screen.shutdown()
        if self.gps is not None:
            self.gps.close()
            self.gps = None
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
        wait_for_tasks()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)

    # -- navigation ------------------------------------------------------------------------
    def show_escalations(self) -> None:
        """The sync strip's escalation count was tapped: the operations view, escalated tickets listed."""
        if self.dispatch is None:
            return
        self.show_view("dispatch")
        self.dispatch.show_operations(True)
        view = self.dispatch.operations

        def list_them() -> None:
            view.data_shown.disconnect(list_them)
            view.show_figure("escalated")

        view.data_shown.connect(list_them)

    def show_view(self, name: str) -> None:
        if name == "settings":
            current = self.current_view()
            self._before_settings = current if current not in ("settings", "?") else "mywork"
            self.settings.show_current()  # signed in since it was built: sharing as stored
        elif name != "signin" and self.user is None:
            name = "signin"
        if name == "signin" and self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
        self.nav_bar.setVisible(name != "signin")
        if name == "dispatch" and self.dispatch is None:
            name = "mywork"
        screen = {
            "signin": self.signin,
            "mywork": self.mywork,
            "ticket": self.ticket,
            "conflicts": self.conflicts,
            "dispatch": self.dispatch,
            "settings": self.settings,
        }[name]
        if hasattr(screen, "reload") and name != "ticket":
            screen.reload()
        self.stack.setCurrentWidget(screen)
        if name == "mywork":
            self.announce.setText("")
        self.map_download_button.setVisible(name != "signin")

    def current_view(self) -> str:
        widget = self.stack.currentWidget()
        names = ("signin", "mywork", "ticket", "conflicts", "dispatch", "settings")
        return next((n for n in names if getattr(self, n) is widget), "?")

    def open_ticket(self, ticket_id: str) -> None:
        self.ticket.show_ticket(ticket_id)
        self.stack.setCurrentWidget(self.ticket)
        self.nav_bar.setVisible(True)

    # -- sync -----------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.bridge is not None:
            self.bridge.sync_now()

    def _local_change(self) -> None:
        if self.bridge is not None:
            run_task(self.bridge.engine.refresh_state)  # show the pending count at once
            self.bridge.sync_now()

    def _state_changed(self, state: SyncState) -> None:
        self.status.show_state(state)
        if state.auth_required and self.current_view() != "signin":
            # The session ended (expired or revoked): sign in again; the replica and its
            # unsent work stay, and are sent after signing in as the same user.
            self.signin.error.setText(state.message or "")
            if self.user:
                self.signin.user.setText(self.user["username"])
            self.show_view("signin")

    def _synced(self, report: Any) -> None:
        """Reload what is on screen only when the sync changed something."""
        if report.pushed or report.pulled or report.revoked or report.repulled:
            self._refresh_current()
        if self.user is not None:  # online now: renew stale map tiles once a day
            from fieldapp.screens.prefetch import start_refresh

            start_refresh(self.profile, self.replica_path, self, on_done=lambda _r: self.refresh_maps())

    def _refresh_current(self) -> None:
        widget = self.stack.currentWidget()
        if widget is self.ticket:
            self.ticket.reload()
        elif hasattr(widget, "reload") and widget is not self.signin:
            widget.reload()

    def _new_tickets(self, count: int) -> None:
        self.announce.setText(tr("{n} new ticket(s) assigned since you last looked").format(n=count))

    # -- screenshots and tests ------------------------------------------------------------------
    def busy(self) -> bool:
        screens = [self.signin, self.mywork, self.ticket, self.conflicts, self.dispatch, self.settings]
        return tasks_running() > 0 or any(s is not None and s.busy() for s in screens)

    def prepare_screenshot(self, view: str) -> None:
        """Show `view` by name; the ticket's panels open on the ticket most worth a look."""
        panel = {"resolve": "resolve", "onhold": "onhold", "camera": "camera", "photos": "picker"}.get(view)
        if view == "ticket" or panel:
            rows = []
            if self.user:
                replica = Replica(self.replica_path)
                try:
                    rows = replica.ticket_rows()
                finally:
                    replica.close()
            if rows:
                rows.sort(key=lambda r: (r["status"] not in ("in_progress", "assigned"), r["priority"]))
                self.ticket.show_ticket(rows[0]["id"], panel=panel)
                self.stack.setCurrentWidget(self.ticket)
                return
            view = "mywork"
        self.show_view(view)
