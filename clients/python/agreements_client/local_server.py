"""An agreements-server in a subprocess, for tests and local tools that need a real one.

    from agreements_client.local_server import LocalServer

    server = LocalServer([binary, "--listen=127.0.0.1:0", f"--data_dir={data}"],
                         log_path=data.with_suffix(".log")).start()
    with ac.connect(server.address) as client:
        ...
    server.stop()

The server's stderr goes to `log_path`; its stdout is read line by line, where it
announces its addresses ("agreements-server listening on ADDRESS (data in ...)").
It gets SIGTERM when the Python process dies (setpriv --pdeathsig, where present);
start it from the main thread, since that signal follows the thread that started it.
Every wait is bounded.
"""

from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional, Pattern, Sequence

LISTENING = re.compile(r"agreements-server listening on (\S+) \(data in ")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class LocalServer:
    """One agreements-server process started with `command`."""

    def __init__(self, command: Sequence[str], log_path: Path) -> None:
        self.command = list(command)
        self.log_path = log_path
        self.address = ""
        self._process: Optional[subprocess.Popen] = None
        self._lines: queue.Queue = queue.Queue()

    @property
    def pid(self) -> int:
        """The process id (0 before start)."""
        return self._process.pid if self._process else 0

    @property
    def returncode(self) -> Optional[int]:
        """The exit code once the process has exited, else None."""
        return self._process.poll() if self._process else None

    def alive(self) -> bool:
        """Whether the process runs."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> "LocalServer":
        """Starts the server and waits for its "listening on" line; raises with the
        end of its log when the server exits or stays silent for `timeout`."""
        prefix = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                prefix + self.command, stdout=subprocess.PIPE, stderr=log,
                stdin=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read_stdout, name="server-stdout",
                         daemon=True).start()
        match, ended = self.wait_for_line(LISTENING, timeout)
        if match is None:
            if ended:
                try:
                    self._process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    pass
            why = (f"exited before listening ({self.returncode})" if ended
                   else f"did not listen within {timeout:.0f}s")
            self.kill()
            raise RuntimeError(f"agreements-server {why}:\n{self.log_tail()}")
        self.address = match.group(1)
        return self

    def wait_for_line(self, pattern: Pattern[str],
                      timeout: float) -> tuple[Optional[re.Match], bool]:
        """The match of the next stdout line that matches `pattern` (lines before it
        are consumed), within `timeout`; and whether stdout ended first."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self._lines.put(None)  # for the next wait: stdout stays ended
                return None, True
            match = pattern.search(line)
            if match:
                return match, False
        return None, False

    def send_signal(self, signum: int = signal.SIGHUP) -> None:
        """Sends a signal if the process runs (SIGHUP reloads the security files)."""
        if self.alive():
            self._process.send_signal(signum)

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`; True when it
        exited on SIGTERM (or had exited before)."""
        if not self.alive():
            return True
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            self.kill()
            return False

    def kill(self) -> None:
        """SIGKILL if still running, and reap."""
        if self.alive():
            self._process.kill()
            self._process.wait(STOP_TIMEOUT)

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's log (its stderr)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _read_stdout(self) -> None:
        """Feeds stdout lines to the queue (and keeps the pipe drained); None at the end."""
        assert self._process is not None and self._process.stdout is not None
        with self._process.stdout as stdout:
            for line in stdout:
                self._lines.put(line)
        self._lines.put(None)
