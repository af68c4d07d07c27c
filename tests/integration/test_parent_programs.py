"""fwdproxy in front of other proxies: Squid and tinyproxy (Debian packages)
as parents, with configurations written here that listen on 127.0.0.1 only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaintest  # noqa: E402
import fwdtest  # noqa: E402

PAGE = b"page through a parent proxy\n"
TINYPROXY_USER = "fwdproxy"
TINYPROXY_PASSWORD = "Tiny-Secret-6023"

# Squid 5 (Debian 12). Nothing is cached, names would be resolved only by a DNS
# server on 127.0.0.1 (the tests use IP literals), and the inter-cache
# protocols are off. Squid switches from root to its "proxy" user, which is
# why the test folder is writable by everybody.
SQUID_CONFIG = """\
http_port 127.0.0.1:{port}
visible_hostname fwdproxy-test-squid
cache deny all
cache_mem 0 MB
access_log stdio:{folder}/access.log
cache_store_log none
logfile_rotate 0
cache_log {folder}/cache.log
pid_filename {folder}/squid.pid
coredump_dir {folder}
dns_nameservers 127.0.0.1
hosts_file none
icp_port 0
htcp_port 0
snmp_port 0
pinger_enable off
shutdown_lifetime 1 second
http_access allow localhost
http_access deny all
"""

# tinyproxy 1.11 (Debian 12) with Basic authentication. ConnectPort limits
# CONNECT to the origin's port; ORIGIN_PORT is replaced by the test.
TINYPROXY_CONFIG = """\
User nobody
Group nogroup
Listen 127.0.0.1
Port {port}
Timeout 30
MaxClients 20
LogLevel Info
LogFile "{folder}/tinyproxy.log"
PidFile "{folder}/tinyproxy.pid"
Allow 127.0.0.1
ViaProxyName "tinyproxy"
BasicAuth fwdproxy Tiny-Secret-6023
ConnectPort ORIGIN_PORT
"""


class ParentProgramTest(fwdtest.ProxyTestCase):
    def start_program(self, name, config_name, config, command):
        path = chaintest.find_program(name)
        if path is None:
            self.skipTest(f"{name} is not installed (Debian package {name}; tests/run-all.sh installs it)")
        program = chaintest.HelperProgram(name, config_name, config, lambda config_path: command(path, config_path))
        program.start()
        self.addCleanup(program.stop)
        return program

    def start_child(self, url):
        return self.start_proxy({
            "proxy.connect.ports": "1-65535",
            "proxy.upstream.order": "parent",
            "proxy.upstream.parent.url": url,
        })

    def check_chain(self, child, origin):
        for extra in ([], ["-p"]):
            result = fwdtest.run_curl(*extra, "-x", child.url, origin.url("/page"))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, PAGE, f"with {extra}")
        self.assert_access_logged(child, "GET", origin.url("/page"), 200)
        self.assert_access_logged(child, "CONNECT", origin.authority, 200)

    def test_squid_parent(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        squid = self.start_program("squid", "squid.conf", SQUID_CONFIG, lambda path, config: [path, "-N", "-f", config])
        child = self.start_child(f"http://{squid.authority}")

        self.check_chain(child, origin)
        via = origin.wait_for_requests(2)[0].tokens("Via")
        self.assertEqual(via[0], "1.1 fwdproxy")
        self.assertTrue(via[1].startswith("1.1 fwdproxy-test-squid"), via)

    def test_tinyproxy_parent_with_credentials(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        tinyproxy = self.start_program(
            "tinyproxy", "tinyproxy.conf", TINYPROXY_CONFIG.replace("ORIGIN_PORT", str(origin.port)),
            lambda path, config: [path, "-d", "-c", config],
        )
        child = self.start_child(f"http://{TINYPROXY_USER}:{TINYPROXY_PASSWORD}@{tinyproxy.authority}")

        self.check_chain(child, origin)
        self.assertIn("1.1 tinyproxy", origin.wait_for_requests(2)[0].tokens("Via")[-1])
        self.assertNotIn(TINYPROXY_PASSWORD, child.output())

    def test_tinyproxy_rejects_wrong_credentials(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        tinyproxy = self.start_program(
            "tinyproxy", "tinyproxy.conf", TINYPROXY_CONFIG.replace("ORIGIN_PORT", str(origin.port)),
            lambda path, config: [path, "-d", "-c", config],
        )
        child = self.start_child(f"http://{TINYPROXY_USER}:Wrong-Secret-4@{tinyproxy.authority}")

        client = self.connect(child)
        client.send(fwdtest.build_request("CONNECT", origin.authority, [("Host", origin.authority)]))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 502, "parent_failed", f"parent {tinyproxy.authority}")

        # tinyproxy 1.11 rejects a plain request with 401 and WWW-Authenticate
        # instead of 407, which no proxy can tell from an origin's own 401, so
        # it reaches the client unchanged.
        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.status, 401, repr(response))
        self.assertEqual(origin.connection_count, 0)


if __name__ == "__main__":
    fwdtest.main()
