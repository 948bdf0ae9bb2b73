"""Real calls on loopback: vpbx (uvicorn in a thread), Kamailio (a subprocess with the
configuration `vpbx sip config` writes) and SIPp phones, all on free ports.

Every wait is bounded and every process started here is stopped by its own handle.
Phones and extensions send from 127.0.0.1; the carrier trunk lives on 127.0.0.2, so
Kamailio tells them apart by source address as it would in production.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vpbx.api.app import create_app
from vpbx.config import Settings
from vpbx.sip import config
from vpbx.sip.control import ControlError, KamailioControl
from vpbx.sip.notifier import notifier_for, use_notifier
from vpbx.sip.repository import SipRepository
from vpbx.sip.settings import SipSettings

SCENARIOS = Path(__file__).parent / "scenarios"
PHONES = "127.0.0.1"
CARRIER = "127.0.0.2"
TOKEN = "test-sip-token-0123456789abcdef"


def missing_tools(database_url: str) -> str | None:
    """Why these tests cannot run here, or None."""
    if shutil.which("sipp") is None:
        return "SIPp is not installed (apt-get install sip-tester)"
    database = config.kamailio_database(database_url)
    missing = config.missing_packages(database)
    if missing:
        return "Kamailio is incomplete: apt-get install " + " ".join(missing)
    return None


def free_port(host: str = PHONES) -> int:
    """A port free for both UDP and TCP on `host`."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


def wait_for(check: object, what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not happen within {timeout_s} s")


@dataclass
class Phone:
    """A SIPp process that answers (or only rings) one call as `extension`."""

    extension: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def finish(self, timeout_s: float = 20.0) -> int:
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            return -1

    def messages(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def header(self, name: str) -> str:
        """A header of the call this phone answered ("" when it had none)."""
        for line in self.messages().splitlines():
            if line.startswith(f"{name}:"):
                return line.partition(":")[2].strip()
        return ""


@dataclass
class Stack:
    """vpbx + Kamailio on one database, and SIPp helpers to drive them."""

    workdir: Path
    api_url: str
    sip_port: int
    control: KamailioControl
    kamailio: subprocess.Popen[bytes]
    phones: list[Phone] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.sip_port}"

    def _scenario(self, name: str, **values: str) -> Path:
        text = (SCENARIOS / name).read_text()
        for key, value in values.items():
            text = text.replace(f"@{key}@", value)
        path = self.workdir / f"s{abs(hash(text))}.xml"
        path.write_text(text)
        return path

    def _csv(self, *fields: str) -> Path:
        path = self.workdir / f"c{abs(hash(fields))}.csv"
        path.write_text("SEQUENTIAL\n" + ";".join(fields) + "\n")
        return path

    def sipp(
        self,
        scenario: Path,
        csv: Path | None,
        *,
        ip: str = PHONES,
        service: str = "s",
        calls: int = 1,
        rate: int = 10,
    ) -> subprocess.CompletedProcess[str]:
        command = ["sipp", "-sf", str(scenario), "-i", ip, "-p", str(free_port(ip))]
        if csv is not None:
            command += ["-inf", str(csv)]
        command += ["-s", service, "-m", str(calls), "-r", str(rate)]
        command += ["-timeout", "15s", "-timeout_error", "-nostdin"]
        command += ["-trace_err", "-error_file", str(self.workdir / "sipp-errors.log")]
        command.append(self.target)
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)

    def register(
        self, user: str, domain: str, password: str, *, contact_port: int = 0, expect: int = 200
    ) -> bool:
        """REGISTER user@domain with this password; True when the answer was `expect`."""
        scenario = self._scenario("reg.xml", FINAL=str(expect))
        auth = f"[authentication username={user} password={password}]"
        csv = self._csv(user, domain, auth, str(contact_port or free_port()))
        return self.sipp(scenario, csv).returncode == 0

    def call(
        self,
        caller: str,
        domain: str,
        password: str,
        dialled: str,
        *,
        expect: int = 200,
        to_domain: str | None = None,
    ) -> bool:
        """An extension calls `dialled` (in its own domain unless `to_domain`); True when
        the final answer was `expect` (and, when answered, the call hung up cleanly)."""
        target = to_domain or domain
        after = _after_answer(2) if expect == 200 else _ack(f"sip:{dialled}@{target}", 2)
        scenario = self._scenario("uac_call.xml", FINAL=str(expect), AFTER=after)
        auth = f"[authentication username={caller} password={password}]"
        csv = self._csv(caller, domain, auth, dialled, target)
        return self.sipp(scenario, csv).returncode == 0

    def trunk_call(
        self, caller: str, dialled: str, *, expect: int = 200, calls: int = 1, rate: int = 10
    ) -> bool:
        """The carrier (from 127.0.0.2) sends `calls` calls from `caller` to `dialled`
        (`rate` per second); True when each one's final answer was `expect`."""
        after = _after_answer(1) if expect == 200 else _ack(f"sip:{dialled}@{self.target}", 1)
        scenario = self._scenario("trunk_call.xml", FINAL=str(expect), AFTER=after)
        csv = self._csv(caller, dialled, self.target)
        return self.sipp(scenario, csv, ip=CARRIER, calls=calls, rate=rate).returncode == 0

    def phone(
        self, extension: str, *, answer: bool = True, ip: str = PHONES, delay_ms: int = 200
    ) -> Phone:
        """A phone for `extension` listening on a free port, answering or ringing."""
        port = free_port(ip)
        if answer:
            scenario = self._scenario("uas_answer.xml", DELAY=str(delay_ms))
        else:
            scenario = self._scenario("uas_ring.xml")
        log = self.workdir / f"phone-{extension}-{port}.log"
        command = ["sipp", "-sf", str(scenario), "-i", ip, "-p", str(port), "-s", extension]
        command += ["-m", "1", "-timeout", "25s", "-timeout_error", "-nostdin"]
        command += ["-trace_logs", "-log_file", str(log)]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.workdir
        )
        phone = Phone(extension, port, process, log)
        self.phones.append(phone)
        time.sleep(0.2)  # let it bind before anything is sent to it
        return phone

    def registered(self, aor: str) -> int:
        try:
            return len(self.control.registrations(aor))
        except ControlError:
            return 0

    def cached(self, aor: str) -> str | None:
        """Kamailio's credential cache entry of `aor` ("expiry:ha1", "-" when forgotten)."""
        try:
            found = self.control.call("htable.get", "credentials", aor)
        except ControlError:
            return None
        item = found.get("item", {}) if isinstance(found, dict) else {}
        value = item.get("value")
        return None if value is None else str(value)


def _after_answer(cseq: int) -> str:
    return f"""<send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: {cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 10 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>"""


def _ack(uri: str, cseq: int) -> str:
    return f"""<send>
    <![CDATA[
      ACK {uri} SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: {cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>"""


@contextmanager
def running_stack(
    settings: Settings, engine: Engine, workdir: Path, **sip_settings: Any
) -> Iterator[Stack]:
    """Start vpbx and Kamailio; stop both (and every phone) at the end, whatever happens."""
    api_port = free_port()
    sip = SipSettings(
        token=TOKEN,
        listen=PHONES,
        port=free_port(),
        api_url=f"http://127.0.0.1:{api_port}",
        run_dir=workdir / "kamailio",
        children=2,
        rpc_timeout_s=2.0,
        **sip_settings,
    )
    sip = sip.model_copy(update={"control_socket": config.control_socket(sip)})
    app = create_app(settings, engine)
    app.state.sip_settings = sip
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=api_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    kamailio: subprocess.Popen[bytes] | None = None
    stack: Stack | None = None
    try:
        wait_for(lambda: server.started, "vpbx start")
        # The suite empties every table between tests, Kamailio's version rows too.
        with Session(engine) as session, session.begin():
            SipRepository(session).ensure_versions()
        path = config.write(settings, sip, workdir / "kamailio.cfg")
        log = (workdir / "kamailio.log").open("wb")
        # A session of its own: Kamailio's workers are stopped with it, as one group.
        kamailio = subprocess.Popen(
            config.command(path, sip), stdout=log, stderr=log, start_new_session=True
        )
        control = KamailioControl(config.control_socket(sip), timeout_s=2.0)
        wait_for(lambda: _answers(control) or _exited(kamailio), "Kamailio start")
        if kamailio.poll() is not None:
            tail = (workdir / "kamailio.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Kamailio exited at start:\n{tail}")
        stack = Stack(workdir, sip.api_url, sip.port, control, kamailio)
        with use_notifier(notifier_for(sip)):
            yield stack
    finally:
        for phone in stack.phones if stack else []:
            if phone.process.poll() is None:
                phone.process.kill()
                phone.process.wait(timeout=5)
        if kamailio is not None:
            stop_group(kamailio)
        server.should_exit = True
        thread.join(timeout=10)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with start_new_session, and every process of its group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers that outlived their main process


def _exited(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is not None


def _answers(control: KamailioControl) -> bool:
    try:
        control.call("core.uptime")
    except ControlError:
        return False
    return True


def api(stack: Stack, headers: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=stack.api_url, headers=headers, timeout=10)
