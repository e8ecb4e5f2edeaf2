#!/usr/bin/env python
"""Referral build time for a long report, for each recipient profile (`make bench` runs this).

An advocate who opens "Refer" waits for the policy engine to build what that
recipient may receive: every field checked against the profile, dates and
times generalised, and all free text redacted with the reporter's own name,
phone, email and handle as known values. The long free text is what costs.

The report is a long one, made the way a real one is: a form with every field
filled is validated by intake.forms.ReportForm and its ``report_data()`` is
what the advocate's page builds from (the same dict the decrypted sections
give). The narrative is about 20 kB: English narratives of the development
corpus (tests/data/narratives-dev.jsonl) one after another, so the redactor
meets real names, places, drugs and payment talk; the other free-text fields
carry a few sentences each. Consent is given to every recipient, contact
sharing included, so each profile builds the most it can.

Timed, per profile, in this process with Django set up (production settings;
no database is touched): what the build view computes from the decrypted
report on a GET of the build page: `referrals.services.build`, the page's rows (the edit form,
each held free-text field with the redactor's removals and flags), the preview rows and the trace.
Decrypting the report (one HPKE unwrap, eight AES-GCM opens) is not included.
Two warm-up builds, then --runs builds; the figure is the median wall-clock
milliseconds (CPU milliseconds of this process too, steadier on a shared
machine). `referral_build_ms` is the slowest profile's median. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_redact import FALLBACK, load_texts  # noqa: E402 - beside this file
from harness import server_env, setup_django  # noqa: E402

NARRATIVE_BYTES = 20_000


def long_narrative(size: int = NARRATIVE_BYTES) -> str:
    """English narratives of the development corpus, one paragraph each, until ``size`` bytes."""
    texts, _source = load_texts()
    english = [text for lang, text in texts if lang == "en"] or [text for lang, text in FALLBACK if lang == "en"]
    paragraphs: list[str] = []
    while len("\n\n".join(paragraphs).encode()) < size:
        paragraphs.append(english[len(paragraphs) % len(english)])
    return "\n\n".join(paragraphs)


def long_report_post(narrative: str) -> dict[str, str | list[str]]:
    """Every field of the report form filled, as a browser would post it."""
    day = datetime.date.today() - datetime.timedelta(days=9)
    return {
        "crime_types": ["sexual_assault", "physical_assault", "robbery", "threats_extortion", "other_violence"],
        "crime_other": "He also smashed my phone so I could not call anyone",
        "role": "victim",
        "incident_date": day.isoformat(),
        "incident_time": "23:40",
        "when_approx": "a Friday night, late, after the last bus",
        "area": "Mission District, near 16th and Capp",
        "place_precise": "the parking lot behind the Sunrise Motel on Capp Street, by the ice machine",
        "perp_count": "two",
        "perp_relationship": "client",
        "perp_is_authority": "security",
        "perp_description": (
            "White man, about forty-five, heavy build, grey beard, a tattoo of a snake on his left forearm, "
            "Raiders cap, smelled of cigarettes. The second one was younger, thin, with a hoodie."
        ),
        "perp_name": "calls himself Big Mike, Instagram @mike.sf.415",
        "perp_phone": "(415) 555-0187",
        "perp_vehicle": "dark blue Ford Explorer, plate starts 8KQ, dent in the back bumper",
        "injured": "yes",
        "injuries": "Split lip, two cracked ribs, bruises on both wrists where he held me down, a cut on my scalp.",
        "safe_now": "unsure",
        "reporter_under_18": "no",
        "needs": ["medical", "shelter", "legal", "counselling", "immigration_legal", "safety_planning"],
        "needs_other": "A new phone, and someone to come with me to the clinic",
        "narrative": narrative,
        "ctx_working": "yes",
        "ctx_payment": "We agreed 150 for the hour in the car. He paid half up front then took it back with my tips.",
        "ctx_drugs": "I had smoked some crystal earlier that night and had a couple of drinks with him.",
        "ctx_weapon": "I carry pepper spray and a small knife in my boot but I never got to them.",
        "ctx_immigration": "undocumented",
        "ctx_legal": "I have a warrant in Alameda County for a missed court date and I am on probation.",
        "ctx_notes": "My real name is Daniela Ortiz. Please do not tell my roommate, she knows him.",
        "reporter_name": "Dani",
        "contact_method": "signal",
        "contact_signal": "dani.07",
        "contact_phone": "415-555-0142",
        "contact_email": "dani.ortiz@example.org",
        "contact_safe_times": "weekdays between 11 am and 2 pm",
        "contact_leave_message": "no",
        "consent": ["victim_services", "health_org", "police_via_advocate", "peer_alert"],
        "consent_share_contact": "yes",
        "consent_protections": "yes",
    }


def long_report() -> dict:
    """The report's fields as stored and as the referral builder gets them (validated by ReportForm)."""
    from django.http import QueryDict
    from django.utils.datastructures import MultiValueDict

    from intake.forms import CONTROL_FIELDS, ReportForm

    post = QueryDict(mutable=True)
    for name, value in long_report_post(long_narrative()).items():
        post.setlist(name, value if isinstance(value, list) else [value])
    form = ReportForm(post, MultiValueDict())
    if not form.is_valid():
        raise SystemExit(f"the long report does not validate: {form.errors.as_json()}")
    data = form.report_data()
    missing = [name for name in ReportForm.base_fields if name not in CONTROL_FIELDS and name not in data]
    if missing:
        raise SystemExit(f"the long report leaves fields empty: {missing}")
    return data


def time_profile(data: dict, profile: str, runs: int) -> dict:
    """Build the referral for ``profile`` ``runs`` times; return median wall and CPU ms and its size."""
    from intake import policy_bridge
    from referrals import services
    from referrals.views import _rows_with_kinds

    target = services.Target(profile, profile, str(policy_bridge.RECIPIENT_TITLES.get(profile, profile)), None, 0)

    def once():
        built = services.build(data, target, "en")
        built.to_dict(include_trace=True)
        _rows_with_kinds(built, built)
        return built, policy_bridge.referral_rows(built)

    for _ in range(2):
        built, rows = once()
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        once()
        wall.append(1000 * (time.perf_counter() - w))
        cpu.append(1000 * (time.process_time() - c))
    return {
        "ms": round(statistics.median(wall), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "fields": len(built.to_dict()["fields"]),
        "rows": len(rows),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed builds per profile (default 15)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="harbor-bench-referral-") as tmp:
        # Production settings; the database is never opened (a query would fail on this empty file).
        setup_django(server_env(f"sqlite:///{Path(tmp) / 'unused.sqlite3'}", Path(tmp)))
        from intake import policy_bridge

        data = long_report()
        per_profile = {}
        for profile in sorted(policy_bridge.profiles()):
            per_profile[profile] = time_profile(data, profile, args.runs)
            p = per_profile[profile]
            print(
                f"  {profile:20} {p['ms']:7.1f} ms ({p['cpu_ms']:.1f} ms CPU), {p['fields']} fields offered",
                file=sys.stderr,
            )
    slowest = max(per_profile, key=lambda name: per_profile[name]["ms"])
    result = {
        "referral_build_ms": per_profile[slowest]["ms"],
        "referral_build_cpu_ms": max(p["cpu_ms"] for p in per_profile.values()),
        "referral_build_slowest_profile": slowest,
        "referral_build_ms_by_profile": {name: p["ms"] for name, p in per_profile.items()},
        "referral_build_runs": args.runs,
        "referral_narrative_bytes": len(data["narrative"].encode()),
        "referral_report_fields": len(data),
    }
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
