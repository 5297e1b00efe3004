"""junit.xml for CI: one <testsuite> per draft x agent, one <testcase> per result.

A FAILED behaviour or a FAILED close is a <failure>; an UNIMPLEMENTED behaviour is <skipped>; the other
verdicts pass (NON-STRICT, INFORMATIONAL, WRONG CODE ... are told in <system-out>), as the run's exit
status treats them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..run.results import Behavior, CloseBehavior
from .common import Entry, ResultSet, iso_time, visible_controls


def xml_safe(text: str) -> str:
    """Text XML 1.0 can carry: forbidden characters become visible escapes such as \\x01."""
    return visible_controls(text)


def _message(e: Entry) -> str:
    reasons = []
    if e.behavior is Behavior.FAILED:
        reasons.append(e.behavior_reason)
    if e.close is CloseBehavior.FAILED:
        reasons.append(f"close: {e.close_reason}")
    return "; ".join(reasons)


def _testcase(suite: ET.Element, e: Entry) -> tuple[bool, bool]:
    """Add one <testcase>; returns (failed, skipped)."""
    case = ET.SubElement(
        suite,
        "testcase",
        classname=xml_safe(e.category),
        name=xml_safe(f"{e.case_id} {e.title}"),
        time=f"{e.duration:.3f}",
    )
    if e.failed:
        kind = "FAILED" if e.behavior is Behavior.FAILED else f"close {e.close}"
        failure = ET.SubElement(case, "failure", message=xml_safe(_message(e)), type=kind)
        failure.text = xml_safe(e.outcome)
        return True, False
    if e.behavior is Behavior.UNIMPLEMENTED:
        ET.SubElement(case, "skipped", message=xml_safe(e.behavior_reason))
        return False, True
    if e.behavior is not Behavior.OK or e.close is not CloseBehavior.OK:
        out = ET.SubElement(case, "system-out")
        out.text = xml_safe(f"behaviour {e.behavior}: {e.behavior_reason}\nclose {e.close}: {e.close_reason}")
    return False, False


def _incomplete_suite(root: ET.Element, results: ResultSet, why: str) -> None:
    """A suite with one <error>: the run did not run every item, which a CI test view must not show green."""
    run = results.run
    suite = ET.SubElement(root, "testsuite", name="wsinterop", tests="1", failures="0", errors="1", skipped="0")
    suite.set("timestamp", iso_time(run.started).rstrip("Z"))
    suite.set("time", "0.000")
    case = ET.SubElement(suite, "testcase", classname="wsinterop", name="the run is complete", time="0.000")
    error = ET.SubElement(case, "error", message=xml_safe(why), type="incomplete run")
    error.text = xml_safe(f"{why}: {len(results)} of {run.case_count} planned items have results ({run.target})")


def junit_xml(results: ResultSet, incomplete: str = "") -> bytes:
    """`incomplete`: why the run did not run all its items (an <error> of its own), or ""."""
    run = results.run
    root = ET.Element("testsuites", name=xml_safe(f"wsinterop {run.run_id}"))
    tests = all_failures = all_skipped = 0
    total_time = 0.0
    if incomplete:
        _incomplete_suite(root, results, incomplete)
        tests += 1
    for draft, agent in results.columns():
        entries = results.column(draft, agent)
        if not entries:
            continue
        suite = ET.SubElement(
            root,
            "testsuite",
            name=xml_safe(f"{draft}.{agent}"),
            timestamp=iso_time(run.started).rstrip("Z"),  # the JUnit schema's dateTime has no zone: UTC
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="target", value=xml_safe(run.target))
        ET.SubElement(props, "property", name="draft", value=xml_safe(draft))
        ET.SubElement(props, "property", name="agent", value=xml_safe(agent))
        ET.SubElement(props, "property", name="agent_version", value=xml_safe(run.agents.get(agent, "")))
        failures = skipped = 0
        for e in entries:
            failed, skip = _testcase(suite, e)
            failures += failed
            skipped += skip
        seconds = sum(e.duration for e in entries)
        suite.set("tests", str(len(entries)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suite.set("time", f"{seconds:.3f}")
        tests += len(entries)
        all_failures += failures
        all_skipped += skipped
        total_time += seconds
    root.set("tests", str(tests))
    root.set("failures", str(all_failures))
    root.set("errors", "1" if incomplete else "0")
    root.set("skipped", str(all_skipped))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
