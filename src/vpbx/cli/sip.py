"""vpbx sip: the Kamailio configuration of this instance, and running Kamailio with it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from vpbx.cli.context import fail, out, reports_errors, settings, unit_of_work
from vpbx.errors import Invalid
from vpbx.sip import config
from vpbx.sip.repository import SipRepository
from vpbx.sip.settings import SipSettings, get_sip_settings, sip_token

app = typer.Typer(help="The SIP server (Kamailio) in front of this instance.", no_args_is_help=True)
Listen = Annotated[str | None, typer.Option(help="SIP address (VPBX_SIP_LISTEN, 127.0.0.1).")]
Port = Annotated[int | None, typer.Option(help="SIP port, UDP and TCP (VPBX_SIP_PORT, 5060).")]
ApiUrl = Annotated[str | None, typer.Option(help="vpbx's URL for Kamailio (VPBX_SIP_API_URL).")]


def _sip(listen: str | None, port: int | None, api_url: str | None) -> SipSettings:
    base = get_sip_settings()
    changes = {k: v for k, v in {"listen": listen, "port": port, "api_url": api_url}.items() if v}
    return base.model_copy(update=changes) if changes else base


def _write(sip: SipSettings, output: Path | None) -> Path:
    """Write the configuration, after checking the database holds what Kamailio reads."""
    with unit_of_work() as session:
        fixed = SipRepository(session).ensure_versions()
    if fixed:
        out.print(f"restored Kamailio's version rows for: {', '.join(fixed)}")
    try:
        return config.write(settings(), sip, output or sip.run_dir / "kamailio.cfg")
    except ValueError as exc:  # a malformed token or URL
        raise fail(str(exc)) from None


@app.command("config")
@reports_errors
def write_config(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Default <run dir>/kamailio.cfg.")
    ] = None,
    listen: Listen = None,
    port: Port = None,
    api_url: ApiUrl = None,
) -> None:
    """Write Kamailio's configuration for this instance (mode 0600: it holds a secret)."""
    sip = _sip(listen, port, api_url)
    path = _write(sip, output)
    out.print(f"wrote {path}")
    out.print(f"run it with: {' '.join(config.command(path, sip))}")
    out.print(f"vpbx reaches it with VPBX_SIP_CONTROL_SOCKET={config.control_socket(sip)}")


@app.command("run")
@reports_errors
def run(listen: Listen = None, port: Port = None, api_url: ApiUrl = None) -> None:
    """Write the configuration and run Kamailio with it in the foreground."""
    sip = _sip(listen, port, api_url)
    try:
        database = config.kamailio_database(settings().database_url)
    except Invalid as exc:
        raise fail(exc.message) from None
    missing = config.missing_packages(database)
    if missing:
        raise fail(config.install_hint(missing))
    path = _write(sip, None)
    checked = subprocess.run(
        config.command(path, sip, check_only=True), capture_output=True, text=True
    )
    if checked.returncode != 0:
        raise fail(f"Kamailio refused the configuration:\n{checked.stderr[-2000:]}")
    out.print(f"Kamailio on {sip.listen}:{sip.port}; vpbx at {sip.api_url}")
    argv = config.command(path, sip)
    os.execvp(argv[0], argv)


@app.command("token")
@reports_errors
def token() -> None:
    """Print the SIP server's token (creating the token file if needed)."""
    try:
        out.print(sip_token(get_sip_settings()), highlight=False)
    except ValueError as exc:
        raise fail(str(exc)) from None


__all__ = ["app"]
