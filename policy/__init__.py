"""Harbor's policy engine: what may leave a report, for whom, and what protections apply.

Plain Python, no Django: data files in (policy/data), decisions out. Modules:
`catalogue` (intake fields and tags), `profiles` (recipient allowlists), `packs` (jurisdiction
protections), `assess` (which protections apply), `referral` (build, narrow and verify
referrals), `redact` (free-text redaction). See docs/policy.md and docs/policy-packs.md.
"""
