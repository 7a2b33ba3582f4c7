"""What the fault and load suite drives the app with: a gunicorn ``Server``
(its access log names the worker of every request), plain-HTTP users that
sign in through ``/login`` with the CSRF token as a browser does, and
threads started all at once. conftest.py's fixtures start the server.
"""

import http.client
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.security import generate_password_hash

from tests.builders import PASSWORD
from tests.helpers import CSRF_INPUT

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60
REQUEST_TIMEOUT = 30
# Each access log line: worker pid, status, method, path, the client's marker.
ACCESS_FORMAT = '%(p)s %(s)s %(m)s %(U)s %({x-test-marker}i)s'
SESSION_COOKIE = re.compile(r"^session=([^;]*)")


def quick_password_hash():
    """A scrypt hash of ``builders.PASSWORD`` with a low work factor: fifty
    sign-ins at the app's real cost would be most of the test's time."""
    return generate_password_hash(PASSWORD, method="scrypt:2048:8:1")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running gunicorn: ``port``, and ``requests()`` read from its
    access log as (pid, status, method, path, marker) tuples."""

    def __init__(self, port, access_log):
        self.port = port
        self.access_log = access_log

    def requests(self):
        rows = []
        for line in self.access_log.read_text().splitlines():
            pid, status, method, path, marker = line.split(" ", 4)
            rows.append((int(pid.strip("<>")), int(status), method, path, marker))
        return rows

    def user(self):
        return HttpUser(self.port)


def wait_until_up(process, port, workers, log_path):
    """Until every worker has booted and the server answers."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + log_path.read_text()[-3000:])
        booted = log_path.read_text().count("Booting worker")
        if booted >= workers:
            try:
                status, _headers, _body = HttpUser(port).request("GET", "/login")
                if status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start in time: " + log_path.read_text()[-3000:])


class HttpUser:
    """One user agent over plain HTTP: keeps the session cookie, signs in
    through the form, and reads the CSRF token off a page like a browser."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf_token = None

    def request(self, method, path, form=None, marker=""):
        """(status, headers dict with lower-case names, body text); no
        redirect is followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"X-Test-Marker": marker or "-"}
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            answer = {name.lower(): value for name, value in response.getheaders()}
            for name, value in response.getheaders():
                match = name.lower() == "set-cookie" and SESSION_COOKIE.match(value)
                if match:
                    self.cookie = match.group(1) or None
            return response.status, answer, text
        finally:
            connection.close()

    def read_csrf(self, path):
        status, _headers, text = self.request("GET", path)
        match = CSRF_INPUT.search(text)
        assert status == 200 and match, f"no form on {path}: {status}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def login(self, username, password=PASSWORD):
        """Sign in through the form; the status of the POST."""
        self.read_csrf("/login")
        status, _headers, _text = self.request("POST", "/login", {
            "username": username, "password": password, "csrf_token": self.csrf_token})
        return status

    def post(self, path, form, marker=""):
        return self.request("POST", path, dict(form, csrf_token=self.csrf_token), marker)


def run_threads(target, arguments, timeout):
    """Run ``target(argument)`` in one thread per argument, all at once;
    returns their results in order (an exception is re-raised)."""
    results = [None] * len(arguments)
    errors = []
    start = threading.Barrier(len(arguments))

    def run(index, argument):
        try:
            start.wait(timeout=timeout)
            results[index] = target(argument)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, a), daemon=True)
               for n, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"writers still running after {timeout} s")
    if errors:
        raise errors[0]
    return results
