"""PTB's Bot API requests over aiohttp instead of httpx.

Profiling the webhook process under load (bench/load.py, py-spy) showed half of its CPU in
httpx/httpcore sending replies: a socket poll per pooled connection and a failed import attempt
(`sniffio`) on every request. aiohttp does the same work for a fraction of the CPU, and the
project already depends on it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session per Bot, keeping up to `connections` connections to the Bot API."""

    def __init__(self, connections: int = 64, *, read_timeout: float = 10.0,
                 write_timeout: float = 10.0, connect_timeout: float = 10.0,
                 pool_timeout: float = 30.0):
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=60))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _pick(self, given: Any, default: float) -> float | None:
        return default if given is BaseRequest.DEFAULT_NONE else given

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None:
            await self.initialize()
        assert self._session is not None
        body: Any = None
        headers = None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                body = form
            else:  # one JSON body: cheaper to build than a form, and the Bot API takes both
                body = request_data.json_payload
                headers = JSON_HEADERS
        read = self._pick(read_timeout, self._read_timeout)
        write = self._pick(write_timeout, self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._pick(pool_timeout, self._pool_timeout),
            sock_connect=self._pick(connect_timeout, self._connect_timeout),
            sock_read=None if read is None else read + (write or 0))
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp: {type(error).__name__}") from error
