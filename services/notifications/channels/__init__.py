"""The ways out: email over SMTP, push through Firebase Cloud Messaging. Each answers nothing or raises
`SendFailed` (`permanent` when sending again cannot help: an address the server refuses, a token FCM no longer
knows)."""


class SendFailed(Exception):
    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent
