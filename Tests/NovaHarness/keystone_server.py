"""Runs the real Keystone (from PyPI) on sqlite with fernet tokens and serves it on 127.0.0.1.

Usage: PCLOUD_KEYSTONE_PASSWORD=PW keystone_server.py [--port N] [--compute-url URL] [--state DIR]
(without --state, a temporary directory that is removed when the harness exits).
Bootstraps an `admin` user/project (domain `default`) in region RegionOne, registers the
identity endpoint and, with --compute-url, a `compute` service whose public and internal
endpoints are that URL. Prints `READY port=N` once serving; exits on SIGTERM."""
import argparse
import grp
import json
import os
import pwd
import signal
import socket
import socketserver
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wsgiref.simple_server

import requests

CONFIG = """[database]
connection = sqlite:///{state}/keystone.db
[token]
provider = fernet
expiration = {expiration}
[fernet_tokens]
key_repository = {state}/fernet-keys
[fernet_receipts]
key_repository = {state}/fernet-receipts
[credential]
key_repository = {state}/credential-keys
"""


#: Removed on exit when the harness made it.
TEMPORARY_STATE = []


def leave():
    for path in TEMPORARY_STATE:
        shutil.rmtree(path, ignore_errors=True)
    os._exit(0)


def exit_with_parent():
    """Exits when the process that started the harness is gone (a crashed test run)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        leave()

    threading.Thread(target=watch, daemon=True).start()


class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("keystone-harness: %s\n" % (fmt % args))


class ThreadingWSGIServer(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(config, *steps):
    """Runs keystone-manage steps in one child process (one Python start-up instead of one per
    step: each costs seconds on a busy machine)."""
    subprocess.run([sys.executable, __file__, "--manage", config, json.dumps(steps)], check=True,
                   stdout=subprocess.DEVNULL)


def run_manage_steps(config, steps):
    from keystone.cmd import cli
    from keystone.common import sql
    import keystone.conf

    cli.CONF.register_cli_opt(cli.command_opt)
    keystone.conf.configure()
    sql.initialize()
    for step in steps:
        cli.CONF(args=["--config-file", config, *step], project="keystone")
        cli.CONF.command.cmd_class.main()


def register_compute(base, password, compute_url):
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    token = requests.post(base + "/v3/auth/tokens", json=auth).headers["X-Subject-Token"]
    headers = {"X-Auth-Token": token}
    service = requests.post(base + "/v3/services", headers=headers, json={
        "service": {"name": "nova", "type": "compute"}}).json()["service"]
    for interface in ("public", "internal"):
        requests.post(base + "/v3/endpoints", headers=headers, json={"endpoint": {
            "service_id": service["id"], "interface": interface, "url": compute_url,
            "region_id": "RegionOne"}}).raise_for_status()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--compute-url")
    parser.add_argument("--token-expiration", type=int, default=3600)
    args = parser.parse_args()
    args.admin_password = os.environ["PCLOUD_KEYSTONE_PASSWORD"]
    exit_with_parent()

    if not args.state:
        args.state = tempfile.mkdtemp(prefix="pcloud-keystone-")
        TEMPORARY_STATE.append(args.state)
    port = args.port or free_port()
    base = "http://127.0.0.1:%d" % port
    os.makedirs(args.state, exist_ok=True)
    config = os.path.join(args.state, "keystone.conf")
    with open(config, "w") as f:
        f.write(CONFIG.format(state=args.state, expiration=args.token_expiration))
    user = ["--keystone-user", pwd.getpwuid(os.getuid()).pw_name,
            "--keystone-group", grp.getgrgid(os.getgid()).gr_name]
    manage(config, ["db_sync"], ["fernet_setup", *user], ["credential_setup", *user], [
        "bootstrap", "--bootstrap-password", args.admin_password, "--bootstrap-public-url",
        base + "/v3", "--bootstrap-internal-url", base + "/v3", "--bootstrap-region-id", "RegionOne"])

    os.environ["OS_KEYSTONE_CONFIG_FILES"] = config
    sys.argv = sys.argv[:1]  # keystone parses the command line itself
    from keystone.server import wsgi
    app = wsgi.initialize_public_application()
    server = wsgiref.simple_server.make_server(
        "127.0.0.1", port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.compute_url:
        register_compute(base, args.admin_password, args.compute_url)
    print("READY port=%d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    leave()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--manage":
        run_manage_steps(sys.argv[2], json.loads(sys.argv[3]))
    else:
        main()
