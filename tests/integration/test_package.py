"""Debian package: cpack output, its contents and control fields, the packaged
binary run from an extracted copy, and an install and purge with dpkg where the
machine allows it."""

import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Seconds for cpack, which installs the build into a staging folder and packs it.
CPACK_TIMEOUT = 120
# Seconds for one dpkg or dpkg-deb command.
DPKG_TIMEOUT = 60
CHECK_TIMEOUT = 5

PACKAGE = "fwdproxy"
SYSTEM_CONFIG = "/etc/fwdproxy/fwdproxy.properties"
INSTALLED_BINARY = "/usr/sbin/fwdproxy"

# Paths in the package, relative to its root. Man pages may be compressed.
EXPECTED_PATHS = [
    r"usr/sbin/fwdproxy",
    r"etc/fwdproxy/fwdproxy\.properties",
    r"lib/systemd/system/fwdproxy\.service",
    r"etc/logrotate\.d/fwdproxy",
    r"usr/share/man/man8/fwdproxy\.8(\.gz)?",
    r"usr/share/man/man5/fwdproxy\.properties\.5(\.gz)?",
]
CONFFILES = [SYSTEM_CONFIG, "/etc/logrotate.d/fwdproxy"]
# The packages of the POCO libraries that fwdproxy links (Debian names, POCO 1.11).
POCO_PACKAGES = ["libpocofoundation", "libpoconet", "libpocoutil"]

PAGE_BODY = b"fetched through the packaged proxy\n"

# A packaged proxy listens on a free loopback port, may reach the test origin on
# 127.0.0.1, and leaves the admin listener's fixed default port alone.
TEST_DEFINES = [
    "-D",
    f"proxy.listen={fwdtest.LOOPBACK}:0",
    "-D",
    "proxy.destinations.denyNetworks=",
    "-D",
    "proxy.admin.listen=",
]


def run(command, timeout=DPKG_TIMEOUT, cwd=None):
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd)


def build_directory():
    """Return the CMake build folder of FWDPROXY_BIN, or None when it has no CPack configuration."""
    folder = os.path.dirname(fwdtest.proxy_binary())
    return folder if os.path.isfile(os.path.join(folder, "CPackConfig.cmake")) else None


def package_installed():
    """Return True if dpkg has any record of the package, including removed packages with config files left."""
    return shutil.which("dpkg") is not None and run(["dpkg", "-s", PACKAGE]).returncode == 0


class PackagedProxy(fwdtest.ProxyProcess):
    """ProxyProcess that runs a packaged binary with exactly the arguments given."""

    def __init__(self, binary, args):
        super().__init__()
        self.binary = binary
        self.args = list(args)

    def command(self):
        return [self.binary, *self.args]


@unittest.skipUnless(shutil.which("cpack") and shutil.which("dpkg-deb"), "cpack or dpkg-deb is not installed")
class PackageTest(fwdtest.ProxyTestCase):
    @classmethod
    def setUpClass(cls):
        build = build_directory()
        if build is None:
            raise unittest.SkipTest(f"no CPackConfig.cmake next to {fwdtest.proxy_binary()}")
        cls.folder = tempfile.TemporaryDirectory(prefix="fwdproxy-package-")
        try:
            result = run(["cpack", "-B", cls.folder.name], timeout=CPACK_TIMEOUT, cwd=build)
            packages = glob.glob(os.path.join(cls.folder.name, "fwdproxy_*_amd64.deb"))
            if result.returncode != 0 or len(packages) != 1:
                raise AssertionError(
                    f"cpack exited with {result.returncode} and made {packages}.\n{result.stdout}\n{result.stderr}"
                )
        except BaseException:
            cls.folder.cleanup()
            raise
        cls.package = packages[0]

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def dpkg_deb(self, *args):
        result = run(["dpkg-deb", *args])
        self.assertEqual(result.returncode, 0, f"dpkg-deb {' '.join(args)}: {result.stderr}")
        return result.stdout

    def extract(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-extracted-")
        self.addCleanup(folder.cleanup)
        self.dpkg_deb("-x", self.package, folder.name)
        return folder.name

    def fetch_through(self, proxy):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE_BODY)})
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(origin.url("/page")))
            response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, PAGE_BODY)
        self.assertIn("1.1 fwdproxy", response.values("Via")[-1])

    def test_contents(self):
        listing = self.dpkg_deb("-c", self.package)
        # Each line ends with the path, such as "./usr/sbin/fwdproxy".
        entries = {line.split()[-1].removeprefix("./"): line.split()[0] for line in listing.splitlines() if line}

        for pattern in EXPECTED_PATHS:
            with self.subTest(path=pattern):
                matching = [path for path in entries if re.fullmatch(pattern, path)]
                self.assertEqual(len(matching), 1, f"no path matching {pattern} in:\n{listing}")
        self.assertEqual(entries["usr/sbin/fwdproxy"], "-rwxr-xr-x")

    def test_control(self):
        info = self.dpkg_deb("-I", self.package)
        self.assertRegex(info, r"(?m)^\s+\d+ bytes,\s+\d+ lines\s+conffiles\s*$")

        conffiles = self.dpkg_deb("-I", self.package, "conffiles").split()
        self.assertEqual(sorted(conffiles), sorted(CONFFILES))

        self.assertEqual(self.dpkg_deb("-f", self.package, "Package").strip(), PACKAGE)
        self.assertEqual(self.dpkg_deb("-f", self.package, "Architecture").strip(), "amd64")
        depends = self.dpkg_deb("-f", self.package, "Depends")
        for name in POCO_PACKAGES:
            with self.subTest(dependency=name):
                self.assertRegex(depends, rf"\b{name}\d+\b")

    def test_service_unit_paths(self):
        root = self.extract()
        with open(os.path.join(root, "lib/systemd/system/fwdproxy.service"), encoding="utf-8") as unit:
            text = unit.read()

        self.assertRegex(text, rf"(?m)^ExecStart={re.escape(INSTALLED_BINARY)} --config={re.escape(SYSTEM_CONFIG)}$")
        self.assertRegex(text, rf"(?m)^ExecStartPre={re.escape(INSTALLED_BINARY)} --check-config\b")

    def test_extracted_binary(self):
        root = self.extract()
        binary = os.path.join(root, "usr/sbin/fwdproxy")
        config = os.path.join(root, "etc/fwdproxy/fwdproxy.properties")

        result = run([binary, "--check-config", f"--config={config}"], timeout=CHECK_TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"fwdproxy: configuration valid: {config}\n")

        with PackagedProxy(binary, [f"--config={config}", *TEST_DEFINES]) as proxy:
            self.fetch_through(proxy)

    @unittest.skipUnless(shutil.which("dpkg"), "dpkg is not installed")
    @unittest.skipUnless(os.geteuid() == 0, "installing a package needs root")
    @unittest.skipIf(
        os.path.exists("/run/systemd/system"), "systemd manages this machine, so postinst would start the service"
    )
    @unittest.skipIf(package_installed(), "dpkg has a record of fwdproxy, which the test must not replace or purge")
    def test_install_and_purge(self):
        try:
            installed = run(["dpkg", "-i", self.package])
            if installed.returncode != 0 and "dependency problems" in installed.stderr:
                self.skipTest(f"dependencies of the package are missing:\n{installed.stderr}")
            self.assertEqual(installed.returncode, 0, f"{installed.stdout}\n{installed.stderr}")

            checked = run([INSTALLED_BINARY, "--check-config"], timeout=CHECK_TIMEOUT)
            self.assertEqual(checked.returncode, 0, checked.stderr)
            self.assertEqual(checked.stdout, f"fwdproxy: configuration valid: {SYSTEM_CONFIG}\n")
            account = pwd.getpwnam(PACKAGE)
            self.assertEqual(os.stat("/var/log/fwdproxy").st_uid, account.pw_uid)

            with PackagedProxy(INSTALLED_BINARY, TEST_DEFINES) as proxy:
                self.fetch_through(proxy)
        finally:
            purged = run(["dpkg", "--purge", PACKAGE])

        self.assertEqual(purged.returncode, 0, f"{purged.stdout}\n{purged.stderr}")
        self.assertFalse(package_installed(), "dpkg still has a record of fwdproxy after --purge")
        self.assertFalse(os.path.exists(INSTALLED_BINARY))
        self.assertFalse(os.path.exists(SYSTEM_CONFIG))
        with self.assertRaises(KeyError, msg="the fwdproxy account is left after --purge"):
            pwd.getpwnam(PACKAGE)


if __name__ == "__main__":
    fwdtest.main()
