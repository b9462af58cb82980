"""Runs the real Nova API (with placement, conductor, scheduler, three fake-driver compute hosts
and Nova's glance/neutron/cinder fixtures) in one process, the way Nova's own functional tests
do, and serves it over HTTP on 127.0.0.1. RPC casts are real casts: actions return at once and
clients poll, as with a real cloud.

Usage: nova_server.py [--port N] [--keystone URL]   (port 0 = any free port). Prints
`READY port=N project=ID network=ID image=ID flavor=ID` once serving; exits on SIGTERM or when
its parent dies. Auth is Nova's stubbed-keystone test pipeline (requests carry X-Auth-User,
X-Auth-Project-Id and X-Roles headers; 500 without them), or with --keystone the real
keystonemiddleware checking tokens against that Keystone. Servers on the fixtures' network in
the fixtures' project get fixed addresses (192.168.1.x).

Fault injection by server name: FAIL_BUILD_MARK fails the build (ERROR with a fault message),
SLOW_REBOOT_MARK makes a reboot take seconds (actions meanwhile meet a real 409).

Pitfalls found making this work:
- nova.tests applies eventlet monkey patching on import. It must be imported before wsgiref and
  socketserver, or the server loop blocks in an unpatched poll() and starves Nova's green
  threads: GETs answer, but anything needing RPC (create, actions) hangs.
- Nova's WarningsFixture turns SQLAlchemy deprecation warnings into errors; with SQLAlchemy 2.1
  oslo.db's `and_()` without arguments warns, so os-stop and rebuild returned 500
  (SADeprecationWarning). The harness relaxes the filter after setUp().
"""
from nova.tests.functional import integrated_helpers  # noqa: I100 (first: Nova's patching)

import argparse
import logging
import os
import signal
import socketserver
import sys
import threading
import time
import traceback
import warnings
import wsgiref.simple_server

import fixtures
from nova.api import wsgi as nova_wsgi
from nova import exception
from nova.tests import fixtures as nova_fixtures
from nova.tests.fixtures.glance import GlanceFixture
from nova.tests.fixtures.neutron import NeutronFixture
from nova.virt import fake


#: A server whose name contains this fails to build (BuildAbortException in the fake driver's
#: spawn), so clients can be tested against a real ERROR state with a real fault message.
FAIL_BUILD_MARK = "harness-fail-build"
#: A server whose name contains this takes SLOW_REBOOT_SECONDS to reboot, so an action sent
#: during the reboot meets a real 409 (task state set) every time.
SLOW_REBOOT_MARK = "harness-slow-reboot"
SLOW_REBOOT_SECONDS = 3


class Harness(integrated_helpers._IntegratedTestBase):
    # Real RPC casts: API calls return before the compute service has acted, as in a cloud,
    # so clients must poll for state changes.
    CAST_AS_CALL = False

    def runTest(self):  # testtools needs a test method; the harness never runs it
        pass

    #: Set by --keystone: validate tokens with the real keystonemiddleware against that Keystone.
    keystone = None

    def _setup_compute_service(self):
        # The test configuration's SmallFakeDriver holds 8 tiny servers per host; FakeDriver
        # pretends to be large, so parallel tests do not run out of room ("No valid host").
        self.flags(compute_driver="fake.FakeDriver")
        # Three compute hosts, as in a small cloud: concurrent builds on one host's resource
        # provider collide in placement (generation conflicts), and after its few retries Nova
        # answers "No valid host"; with alternates the scheduler tries the next host.
        for host in ("compute2", "compute3"):
            self._start_compute(host)
        return self._start_compute("compute")

    def _setup_services(self):
        if self.keystone:
            url, password = self.keystone
            from keystoneauth1 import loading
            from nova.conf import CONF
            # the password plugin's options (auth_url, username, ...) are registered lazily
            CONF.register_opts(loading.get_auth_plugin_conf_options("password"), group="keystone_authtoken")
            options = dict(
                www_authenticate_uri=url, auth_url=url, auth_type="password", username="admin",
                password=password, project_name="admin", user_domain_id="default",
                project_domain_id="default", service_token_roles_required=False,
                # no validation cache: a revoked token is refused at once
                token_cache_time=-1)
            for name, value in options.items():
                self.flags(group="keystone_authtoken", **{name: value})
        super()._setup_services()

    def setUp(self):
        original_spawn = fake.FakeDriver.spawn

        def spawn(driver, context, instance, *args, **kwargs):
            if FAIL_BUILD_MARK in (instance.display_name or ""):
                raise exception.BuildAbortException(
                    instance_uuid=instance.uuid, reason="build failure injected by the harness")
            return original_spawn(driver, context, instance, *args, **kwargs)

        original_reboot = fake.FakeDriver.reboot

        def reboot(driver, context, instance, *args, **kwargs):
            if SLOW_REBOOT_MARK in (instance.display_name or ""):
                time.sleep(SLOW_REBOOT_SECONDS)  # eventlet-patched: other requests go on
            return original_reboot(driver, context, instance, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch("nova.virt.fake.FakeDriver.spawn", spawn))
        self.useFixture(fixtures.MonkeyPatch("nova.virt.fake.FakeDriver.reboot", reboot))
        super().setUp()


def exit_with_parent():
    """Exits when the process that started the harness is gone (a crashed test run)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("nova-harness: %s\n" % (fmt % args))


class ThreadingWSGIServer(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keystone", help="Keystone v3 URL: check tokens there (admin's password in "
                        "$PCLOUD_KEYSTONE_PASSWORD) instead of the stubbed X-Auth-User headers")
    args = parser.parse_args()
    exit_with_parent()

    if args.keystone:
        # keystonemiddleware registers its options when imported
        import keystonemiddleware.auth_token  # noqa: F401
        Harness.STUB_KEYSTONE = False
        Harness.keystone = (args.keystone, os.environ["PCLOUD_KEYSTONE_PASSWORD"])
    harness = Harness()
    harness.setUp()
    # Nova's fixtures capture its logging; show warnings and errors in the harness's log too.
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("nova %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    # A server must not fail requests over warnings (see the module docstring): show them once.
    warnings.simplefilter("once")
    app = nova_wsgi.Loader().load_app("osapi_compute")
    server = wsgiref.simple_server.make_server(
        "127.0.0.1", args.port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    # The ids a client needs: the fixtures' project (its ports and networks belong to it), a
    # network with a subnet (servers on it get fixed addresses), an image and a flavor.
    print("READY port=%d project=%s network=%s image=%s flavor=%s" % (
        server.server_port, nova_fixtures.PROJECT_ID, NeutronFixture.network_1["id"],
        GlanceFixture.image1["id"], "1"), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        # Nova's fixtures capture stderr and logging: make a failed start visible to the caller.
        os.write(2, traceback.format_exc().encode())
        os._exit(1)
