#!/usr/bin/python3
"""Drives cped's dashboard in headless Chromium (Debian's chromium + chromium-driver, Selenium).

Called by Tests/PCloudControllerTests/DashboardBrowserTests.swift with a running cped whose
deployable DEPLOYABLE runs on a real sshd guest; its resource ASSEMBLY/RESOURCE stays running
while BREAK_FILE exists. The token is read from TOKEN_FILE (never an argument: ps would show it).
Prints one `ok: ...` line per step; exits 1 with `FAILED: ...` (and a screenshot) otherwise.
"""
import argparse
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
for name in ("base", "token-file", "deployable", "resource", "break-file", "screenshots", "fingerprint"):
    parser.add_argument("--" + name, required=True)
parser.add_argument("--controller", help="cped runs on PostgreSQL under this name: check the controllers table")
args = parser.parse_args()
token = open(args.token_file, encoding="utf-8").read().strip()
os.makedirs(args.screenshots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--disable-gpu", "--window-size=1280,1000", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--metrics-recording-only"):
    options.add_argument(flag)
if os.geteuid() == 0:
    options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
service = Service("/usr/bin/chromedriver", port=0)
driver = webdriver.Chrome(service=service, options=options)
driver.set_script_timeout(30)


def shot(name):
    path = os.path.join(args.screenshots, name + ".png")
    driver.save_screenshot(path)
    print("screenshot: " + path, flush=True)


def fail(message):
    print("FAILED: " + message, flush=True)
    try:
        shot("failure")
        print("page text: " + driver.find_element(By.TAG_NAME, "body").text[:3000], flush=True)
    finally:
        driver.quit()
    sys.exit(1)


def ok(message):
    print("ok: " + message, flush=True)


def wait(what, condition, timeout=30):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda _: condition())
    except TimeoutException:
        fail("timed out waiting for " + what)


# Read in one script each: the page redraws live, so an element found a moment ago may be gone.
def text(css):
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)


def attribute(css, name):
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name)


def present(css):
    return driver.execute_script("return document.querySelector(arguments[0]) !== null;", css)


def visible(css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    try:
        return found[0] if found and found[0].is_displayed() else None
    except StaleElementReferenceException:
        return None


def recovered():
    """Recoveries the chart's list shows as finished with the deployable running again."""
    return driver.execute_script(
        "return document.querySelectorAll('#recoveries .recovery-list li[data-outcome=recovered]').length;")


def click(css):
    for _ in range(50):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.05)  # redrawn by a live update between finding and clicking: find it again
    fail("could not click " + css)


def log_in(with_token):
    field = wait("the token field", lambda: visible("#token"))
    field.clear()
    field.send_keys(with_token)
    click("#login-form button[type=submit]")


def confirm():
    wait("the confirmation dialog", lambda: visible("#confirm[open] #confirm-ok")).click()


def fetch_status(path, csrf_header):
    """A fetch from inside the page (same origin, the session cookie goes along)."""
    return driver.execute_async_script(
        """const [path, csrf, done] = arguments;
        const headers = csrf ? {'X-CSRF-Token': csrf} : {};
        fetch(path, {method: 'POST', credentials: 'same-origin', headers}).then((r) => done(r.status), (e) => done(String(e)));""",
        path, csrf_header)


resource = args.resource
row = f'#resources tr[data-resource="{resource}"]'
try:
    driver.get(args.base + "/dashboard")
    log_in("not-the-token-" + token[:4])
    wait("the refusal", lambda: "refused" in text("#login-error"))
    if visible("#nav"):
        fail("a wrong token opened the dashboard")
    ok("a wrong token is refused")
    shot("login-refused")

    log_in(token)
    overview = f'#deployables tr[data-deployable="{args.deployable}"]'
    wait("the running deployable in the overview",
         lambda: attribute(overview + " .state .badge", "data-state") == "running")
    if token in driver.page_source or token in driver.current_url:
        fail("the token is in the page or its URL")
    ok("logged in; the overview shows the deployable running: " + text(overview))
    if args.controller:
        owner = f'#controllers tr[data-controller="{args.controller}"]'
        wait("the controller owning the deployable", lambda: args.deployable in text(owner + " .owns"))
        ok("the controllers table shows " + text(owner))
    wait("the live stream", lambda: text("#live") == "live")
    shot("overview")

    click(overview + " a")
    wait("the resource running", lambda: attribute(row + " .state .badge", "data-state") == "running")
    wait("the guest's pinned host key fingerprint",
         lambda: attribute("#assemblies .fingerprint span", "data-fingerprint") == args.fingerprint)
    ok("the deployable page shows " + resource + " running on its guest, host key " + args.fingerprint)
    driver.execute_script("window.notReloaded = true;")

    os.remove(args.break_file)
    ok("removed the resource's state file inside the guest")
    wait("the failure and its recovery in the chart", lambda: recovered() == 1, timeout=60)
    # Reported, not asserted (timings vary with the machine): how long after pcloud's event the
    # page showed it (polled every 0.1 s, so at most that much later than it appeared).
    shown_after = time.time() - float(attribute("#recoveries li[data-outcome=recovered]", "data-end"))
    print(f"info: the recovery was on screen {shown_after:.2f} s after pcloud's event", flush=True)
    wait("the resource running again", lambda: attribute(row + " .state .badge", "data-state") == "running")
    if not driver.execute_script("return window.notReloaded === true;"):
        fail("the page was reloaded")
    if not present("#recoveries svg rect[data-level]"):
        fail("the recovery is not drawn in the chart")
    failures = attribute(row + " .failures", "data-total")
    if failures in (None, "", "0"):
        fail("the failure is not counted: " + failures)
    wait("the failed monitor in the failed actions",
         lambda: resource in text("#failed-actions") and "not running" in text("#failed-actions"))
    if "1 of 3 in 10m" not in text(row + " .failures"):
        fail("the failure is not counted against its limit: " + text(row + " .failures"))
    ok(f"failure and recovery appeared without a reload ({text('#recoveries .recovery-list')}); failures {failures}")
    shot("deployable-first-recovery")

    # A second failure: the chart holds both recoveries, and the count goes up against its limit.
    os.remove(args.break_file)
    wait("the second recovery in the chart", lambda: recovered() == 2, timeout=60)
    wait("the second failure counted", lambda: "2 of 3 in 10m" in text(row + " .failures"))
    wait("the resource running again", lambda: attribute(row + " .state .badge", "data-state") == "running")
    ok("a second failure and recovery: two bars in the chart, 2 of 3 against the limit")

    # The third within the window reaches the limit: pcloud escalates to restarting the guest.
    os.remove(args.break_file)
    wait("the escalated recovery in the chart",
         lambda: present("#recoveries li[data-level=assembly][data-outcome=recovered]"), timeout=90)
    wait("the resource running again", lambda: attribute(row + " .state .badge", "data-state") == "running")
    if not present("#recoveries svg rect.assembly"):
        fail("the escalation is not drawn at its level")
    ok("a third failure escalated to an assembly restart, drawn at that level: "
       + text("#recoveries li[data-level=assembly]"))
    shot("deployable-recovered")

    csrf = driver.execute_script("return app.csrf;")
    forged = fetch_status(f"/v1/deployables/{args.deployable}/stop", None)
    if forged != 403:
        fail(f"a POST without the CSRF token got {forged}, not 403")
    ok("a forged POST without the CSRF token is refused (403)")

    # By keyboard only: Tab to the button, Enter; the dialog opens on Cancel, Tab to Confirm, Enter.
    driver.execute_script("document.querySelector(arguments[0]).focus();", f'button[data-cleanup="{resource}"]')
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait("the confirmation dialog", lambda: visible("#confirm[open] #confirm-ok"))
    if driver.execute_script("return document.activeElement.id;") != "confirm-cancel":
        fail("the dialog does not start on Cancel")
    driver.switch_to.active_element.send_keys(Keys.TAB)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait("the cleanup's result", lambda: "cleanup " + resource + ": accepted" in text("#result"))
    wait("the failed action forgotten", lambda: not present("#failed-actions"))
    wait("the cleanup as the last reason", lambda: "cleaned up by the operator" in text(row))
    wait("the resource running after cleanup", lambda: attribute(row + " .state .badge", "data-state") == "running")
    ok("cleanup from the page, by keyboard: the failed action is gone, the resource probed and running")

    click('button[data-action="stop"]')
    confirm()
    wait("the deployable stopped", lambda: attribute("h2 .badge", "data-state") == "stopped", timeout=60)
    wait("the assembly stopped", lambda: attribute('#assemblies tr[data-assembly] .state .badge', "data-state") == "stopped")
    # A stopped static guest is not watched: its resource is shown as no longer known to run.
    wait("the resource no longer running",
         lambda: attribute(row + " .state .badge", "data-state") in ("stopped", "unknown"))
    ok("stop from the page: the deployable and its assembly are shown stopped, the resource "
       + attribute(row + " .state .badge", "data-state"))
    shot("deployable-stopped")

    click('nav a[href="#/events"]')
    wait("the events list", lambda: present("#events tbody tr"))
    driver.find_element(By.CSS_SELECTOR, "#filter-kind").send_keys("restart")
    wait("only restarts listed", lambda: sorted(driver.execute_script(
        "return [...new Set([...document.querySelectorAll('#events tbody tr')].map((r) => r.dataset.kind))];"))
        == ["assembly.restart", "resource.restart"])
    ok("the events view filters by kind: " + text("#events tbody tr"))
    shot("events")

    driver.set_window_size(390, 844)
    click('nav a[href="#/"]')
    wait("the overview at phone width", lambda: visible(overview))
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
    if overflow > 1:
        fail(f"the page is {overflow}px wider than a phone screen")
    ok("readable at phone width (no sideways scrolling of the page)")
    shot("overview-phone")

    origin = args.base
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name);")
    foreign = [url for url in loaded if not url.startswith(origin + "/")]
    if foreign:
        fail("the page loaded resources from elsewhere: " + ", ".join(foreign))
    violations = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
    if violations:
        fail("the page broke its Content-Security-Policy: " + "; ".join(violations))
    ok(f"{len(loaded)} resources, all from {origin}; no CSP violation")

    click("#logout")
    wait("the login form after logout", lambda: visible("#token"))
    after = driver.execute_async_script(
        "const done = arguments[0]; fetch('/v1/deployables', {credentials: 'same-origin'}).then((r) => done(r.status));")
    if after != 401:
        fail(f"after logout the API answered {after}")
    if csrf and fetch_status(f"/v1/deployables/{args.deployable}/start", csrf) != 401:
        fail("after logout the old CSRF token still works")
    ok("logout: the session no longer reads or changes anything")
finally:
    if sys.exc_info()[0] not in (None, SystemExit):
        print("FAILED: " + repr(sys.exc_info()[1]), flush=True)
        try:
            shot("failure")
        except Exception:
            pass
    try:
        driver.quit()
    except Exception:
        pass
