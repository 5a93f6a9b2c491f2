"""A local SMTP server that keeps every message it accepts as a file, for `make run` and the tests: nothing leaves
the machine, and each message can be opened with any mail program (`var/mail/*.eml`).

    python -m deploy.mail_sink [--host 127.0.0.1] [--port 1025] [--dir var/mail]

Built on aiosmtpd (the Python project's own SMTP server). Logs one line per message: to whom, its subject. A file
is written under a temporary name and renamed, so a reader never sees half a message. A recipient whose address
starts with `refused-` is refused for good (550), one with `tempfail-` for now (451): a sender's failures, on cue.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from deploy.sink_folder import SinkFolder, sink_options

log = logging.getLogger("mail-sink")


class KeepAsFiles:
    def __init__(self, folder: Path) -> None:
        self.files = SinkFolder(folder, "eml")

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str,
                          _options: list[str]) -> str:
        # Addresses that answer as a real server's failures do, for trying a sender's handling of them.
        local = address.split("@", 1)[0].lower()
        if local.startswith("refused-"):
            return "550 5.1.1 no such mailbox here"
        if local.startswith("tempfail-"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        _, name = self.files.keep(raw)
        subject = email.message_from_bytes(raw, policy=email.policy.default).get("Subject", "")
        log.info("mail to %s: %s (%s)", ", ".join(envelope.rcpt_tos), subject, name)
        return "250 OK: kept as " + name


def main() -> None:
    args = sink_options(__doc__, port=1025, folder="mail")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's own line per SMTP command: noise here
    controller = Controller(KeepAsFiles(args.dir), hostname=args.host, port=args.port,
                            decode_data=False, enable_SMTPUTF8=True)
    controller.start()
    log.info("mail sink on %s:%s, keeping messages in %s", args.host, args.port, args.dir)
    try:
        asyncio.run(_forever())
    finally:
        controller.stop()


async def _forever() -> None:
    await asyncio.Event().wait()


if __name__ == "__main__":
    main()
