#!/usr/bin/env python3
"""The web explorer in headless Chromium (Debian's chromium and chromium-driver, driven by
Debian's python3-selenium) against a real agreements-server with the demo data.

Loads every page and checks what it shows: the sectors with their counts and chart, the
Balkhash agreement in the energy sector and through search, an agreement's timeline,
history and verified mark (its inclusion proof checked in the browser against the signed
checkpoint), a party, the as-of and legal-date views, and the live ticker receiving an
event recorded during the test. Saves a screenshot of each page (laptop and phone sizes).

Exit status 77 (ctest: skipped) only when Chromium cannot start, with the reason printed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:  # python3-selenium missing: the test cannot drive a browser
    print(f"FAIL: python3-selenium is not installed ({error}); run deploy/install-deps.sh")
    sys.exit(1)

SKIP = 77
TICKER_PARTY = {
    "context": {"requestId": "browser-ticker-party", "reason": "recorded by the browser test"},
    "commands": [{
        "streamType": "STREAM_TYPE_PARTY", "streamId": "browser-ticker-co",
        "expectedRevision": {"noStream": True},
        "change": {"partyRegistered": {"party": {
            "id": "browser-ticker-co", "type": "PARTY_TYPE_COMPANY", "countryCode": "KR",
            "names": [{"language": "en", "text": "Ticker Test Company"}]}}}}],
}


def start_server(args, work):
    command = [args.server, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
               "--metrics_listen=", f"--data_dir={work}/data", "--log_format=text",
               f"--http_explorer_dir={args.web}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=open(f"{work}/server.log", "w"),
                              text=True)
    grpc_port = http_port = None
    deadline = time.time() + 30
    while time.time() < deadline and (grpc_port is None or http_port is None):
        line = server.stdout.readline()
        if not line:
            break
        if m := re.search(r"listening on 127\.0\.0\.1:(\d+)", line):
            grpc_port = int(m.group(1))
        if m := re.search(r"http on 127\.0\.0\.1:(\d+)", line):
            http_port = int(m.group(1))
    if grpc_port is None or http_port is None:
        server.kill()
        raise SystemExit(f"FAIL: agreements-server did not start (log: {work}/server.log)")
    return server, grpc_port, http_port


def cli(args, grpc_port, *rest):
    result = subprocess.run([args.cli, "--server", f"127.0.0.1:{grpc_port}", *rest],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: agreements {' '.join(rest)}: {result.stdout}{result.stderr}")
    return result.stdout


def start_browser(work):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                 f"--user-data-dir={work}/chromium"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except (WebDriverException, OSError) as error:
        print(f"SKIP: Chromium cannot start here: {str(error).splitlines()[0]}")
        sys.exit(SKIP)


class Explorer:
    def __init__(self, driver, base, out):
        self.driver, self.base, self.out = driver, base, out
        self.failures = []

    def open(self, hash_path):
        self.driver.get(f"{self.base}/{hash_path}")

    def wait_text(self, css, text, timeout=15):
        """Waits until an element matching `css` contains `text`; returns its text."""
        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return element.text
            return False
        try:
            return WebDriverWait(self.driver, timeout).until(found)
        except TimeoutException:
            shown = " | ".join(e.text[:200] for e in self.driver.find_elements(By.CSS_SELECTOR, css))
            main = self.driver.find_element(By.ID, "main").text[:600]
            self.fail(f"{css!r} never showed {text!r} (shown: {shown!r}; page: {main!r})")
            return ""

    def check(self, condition, message):
        if not condition:
            self.fail(message)

    def fail(self, message):
        print(f"FAIL: {message}")
        self.failures.append(message)

    def shot(self, name):
        path = os.path.join(self.out, f"{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot {path}")


def check_home(explorer, args, grpc_port, work):
    explorer.open("#/")
    for sector in ["energy", "transport", "telecom", "construction"]:
        explorer.wait_text(f".card[data-sector={sector}]", "agreement")
    energy = explorer.wait_text(".card[data-sector=energy]", "2 agreements")
    explorer.check("USD 4,500,000,000" in energy, f"energy card shows no amount: {energy!r}")
    explorer.check(explorer.driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar"),
                   "home has no chart bars")
    explorer.wait_text("#ticker-state", "Live")
    with open(f"{work}/ticker.jsonl", "w") as batch:
        batch.write(json.dumps(TICKER_PARTY) + "\n")
    cli(args, grpc_port, "load", f"{work}/ticker.jsonl")
    explorer.wait_text("#ticker li", "browser-ticker-co")
    explorer.shot("home")


def check_sector_and_search(explorer):
    explorer.open("#/sector/energy")
    explorer.wait_text("#list tbody", "Balkhash thermal power plant")
    explorer.wait_text("main aside", "samsung")  # top parties
    explorer.shot("sector-energy")
    field = explorer.driver.find_element(By.CSS_SELECTOR, "#list input[name=query]")
    field.send_keys("memorandums")
    field.submit()
    text = explorer.wait_text("#list tbody", "Memorandums and agreements on cooperation in energy")
    explorer.check("Balkhash" not in text, "search for 'memorandums' still lists Balkhash")


def check_agreements(explorer):
    explorer.open("#/agreement/balkhash-tpp-2009")
    explorer.wait_text("h1", "Balkhash")
    explorer.wait_text("#verification", "Verified", timeout=30)
    explorer.check("Not verified" not in explorer.driver.find_element(By.ID, "verification").text,
                   "Balkhash is not verified")
    explorer.wait_text("#history", "agreement recorded")
    explorer.wait_text("main", "Estimated project value")
    explorer.wait_text("main", "kz-kr-joint-statement-2009")  # its relation
    explorer.shot("agreement-balkhash")
    explorer.open("#/agreement/kz-kr-forum-2009-energy")
    explorer.wait_text("#timeline", "2009-05")
    explorer.wait_text("#timeline", "Signed by kz-forum-business")
    explorer.wait_text("#verification", "Verified", timeout=30)
    explorer.shot("agreement-forum-energy")


def check_party_and_as_of(explorer):
    explorer.open("#/party/kz")
    explorer.wait_text("h1", "Republic of Kazakhstan")
    explorer.wait_text("main table", "Joint Statement of the Presidents")
    explorer.shot("party-kz")
    # A legal date: the energy memorandum was signed, not in force, in June 2009.
    explorer.open("#/agreement/kz-kr-forum-2009-energy")
    explorer.wait_text("h1", "energy")
    date = explorer.driver.find_element(By.ID, "on-date-input")
    date.send_keys("2009-06-01")
    date.submit()
    explorer.wait_text("#as-of-banner", "legal status on 2009-06-01")
    explorer.wait_text("main", "On 2009-06-01:")
    # As recorded at position 5: the parties existed, no agreement yet.
    explorer.driver.find_element(By.ID, "as-of-clear").click()
    recorded = explorer.driver.find_element(By.ID, "as-of-input")
    recorded.send_keys("5")
    recorded.submit()
    explorer.open("#/sector/energy")
    explorer.wait_text("main", "0 agreements")
    explorer.shot("sector-energy-as-of-5")
    explorer.driver.find_element(By.ID, "as-of-clear").click()


def check_accessibility_and_phone(explorer):
    with urllib.request.urlopen(f"{explorer.base}/") as page:
        policy = page.headers.get("Content-Security-Policy", "")
    explorer.check(policy.startswith("default-src 'self'"),
                   f"the explorer is served without its content security policy: {policy!r}")
    explorer.open("#/")
    explorer.wait_text(".card[data-sector=energy]", "agreements")
    unlabelled = explorer.driver.execute_script(
        "return [...document.querySelectorAll('input, select')].filter(e => !e.closest('label')"
        " && !e.getAttribute('aria-label')).map(e => e.name || e.id)")
    explorer.check(not unlabelled, f"controls without a label: {unlabelled}")
    explorer.check(explorer.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en",
                   "no document language")
    explorer.driver.set_window_size(390, 844)
    explorer.open("#/agreement/balkhash-tpp-2009")
    explorer.wait_text("h1", "Balkhash")
    overflow = explorer.driver.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth + 1")
    explorer.check(not overflow, "the agreement page scrolls sideways on a phone")
    explorer.shot("phone-agreement")
    explorer.driver.set_window_size(1280, 900)


def main():
    parser = argparse.ArgumentParser()
    for name in ["server", "cli", "web", "demo", "out"]:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="agreements-browser-") as work:
        driver = start_browser(work)
        server, grpc_port, http_port = start_server(args, work)
        try:
            cli(args, grpc_port, "load", args.demo)
            explorer = Explorer(driver, f"http://127.0.0.1:{http_port}", args.out)
            check_home(explorer, args, grpc_port, work)
            check_sector_and_search(explorer)
            check_agreements(explorer)
            check_party_and_as_of(explorer)
            check_accessibility_and_phone(explorer)
            # Script errors fail the test; answers the pages expect (a 404 for an
            # agreement that did not exist yet at an as-of position) do not.
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
                      and "Failed to load resource" not in entry["message"]]
            for entry in errors:
                explorer.fail(f"browser console: {entry['message']}")
        finally:
            driver.quit()
            server.terminate()
            server.wait(timeout=30)
        if explorer.failures:
            print(f"{len(explorer.failures)} check(s) failed")
            return 1
        print("explorer: every page showed what it should")
        return 0


if __name__ == "__main__":
    sys.exit(main())
