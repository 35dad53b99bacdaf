"""Sign-in: server address, user, password. The device is remembered for offline days."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from fieldapp.errors import user_message
from fieldapp.qt import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal, touch_button, tr
from fieldapp.tasks import run_task
from sync.engine import sign_in
from sync.errors import AuthRequired


class SignInScreen(QWidget):
    signed_in = Signal(object)

    def __init__(self, replica_path: Path, server: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self._busy = False
        title = QLabel(f"<h1>{tr('Sign in')}</h1>")
        self.server = QLineEdit(server or "http://127.0.0.1:8311")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for field, name in (
            (self.server, tr("Server address")),
            (self.user, tr("User name")),
            (self.password, tr("Password")),
        ):
            field.setMinimumHeight(44)
            field.setAccessibleName(name)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020")
        self.error.setAccessibleName(tr("Sign-in problem"))
        self.button = touch_button(tr("Sign in"), primary=True)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        form = QFormLayout()
        form.addRow(tr("Server"), self.server)
        form.addRow(tr("User"), self.user)
        form.addRow(tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        layout.addStretch(2)

    def busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        server, user, password = self.server.text().strip(), self.user.text().strip(), self.password.text()
        if not (server and user and password):
            self.error.setText(tr("Fill in the server, your user name and your password."))
            return
        self._busy = True
        self.button.setEnabled(False)
        self.error.setText(tr("Signing in…"))
        path = self.replica_path

        def work() -> dict[str, Any]:
            return sign_in(path, server, user, password, device_name=socket.gethostname())

        def done(result: dict[str, Any]) -> None:
            self._busy = False
            self.button.setEnabled(True)
            self.error.setText("")
            self.password.clear()
            self.signed_in.emit(result)

        def failed(exc: Exception) -> None:
            self._busy = False
            self.button.setEnabled(True)
            wrong_password = isinstance(exc, AuthRequired)
            self.error.setText(str(exc) if wrong_password else user_message(exc))

        run_task(work, done, failed)
