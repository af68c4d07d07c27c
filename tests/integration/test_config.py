"""Configuration: values from the --config file, invalid values and --help."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Exit code for a configuration error (EX_CONFIG in sysexits.h).
EX_CONFIG = 78

LISTEN_LOOPBACK = ["-D", f"proxy.listen={fwdtest.LOOPBACK}:0"]

# Seconds a run with an invalid value may take before it is killed. A proxy that
# accepts the value keeps running, so this bounds each failing case.
EXIT_TIMEOUT = 5

# (key, invalid value) pairs. Each must stop startup.
INVALID_VALUES = [
    ("proxy.timeouts.connect", "soon"),
    ("proxy.timeouts.response", "-5"),
    ("proxy.connect.ports", "70000"),
    ("proxy.connect.ports", "900-100x"),
    ("proxy.clients.allow", "not-an-address/99"),
    ("proxy.destinations.denyNetworks", "300.1.2.3/8"),
    ("proxy.threads.max", "many"),
    ("proxy.limits.maxHeadSize", "big"),
]


class ConfigTest(fwdtest.ProxyTestCase):
    def test_file_values_used(self):
        origin = self.start_origin()
        proxy = self.start_proxy(config="proxy.via.pseudonym = configured-via\n")
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(origin.url("/via")))
            response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertIn("1.1 configured-via", response.values("Via")[-1])
        self.assertIn("1.1 configured-via", origin.requests[0].values("Via")[-1])

    def test_invalid_file_value(self):
        for key, value in INVALID_VALUES:
            with self.subTest(key=key, value=value):
                code, output, config_path = fwdtest.run_proxy_to_exit(
                    LISTEN_LOOPBACK, config=f"{key} = {value}\n", timeout=EXIT_TIMEOUT
                )
                self.assertEqual(code, EX_CONFIG, output)
                self.assertIn(config_path, output)
                self.assertIn(key, output)
                self.assertIn(value, output)
                self.assertNotIn("listening on", output)

    def test_invalid_define(self):
        key, value = "proxy.timeouts.idle", "forever"
        code, output, _ = fwdtest.run_proxy_to_exit(
            LISTEN_LOOPBACK + ["-D", f"{key}={value}"], config="", timeout=EXIT_TIMEOUT
        )
        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn(key, output)
        self.assertIn(value, output)

    def test_invalid_listen(self):
        value = f"{fwdtest.LOOPBACK}:notaport"
        code, output, _ = fwdtest.run_proxy_to_exit(["-D", f"proxy.listen={value}"], config="", timeout=EXIT_TIMEOUT)
        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn("proxy.listen", output)
        self.assertIn(value, output)

    def test_help(self):
        code, output, _ = fwdtest.run_proxy_to_exit(LISTEN_LOOPBACK + ["--help"], timeout=EXIT_TIMEOUT)
        self.assertEqual(code, 0, output)
        self.assertIn("--config", output)
        self.assertNotIn("listening on", output)


if __name__ == "__main__":
    fwdtest.main()
