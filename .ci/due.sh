#!/usr/bin/env bash
# Reads `nhi due --format ics` and the site's calendars back with Python's icalendar package (an independent
# RFC 5545 parser): every event is an all-day event with a UID and a DTSTAMP, UIDs are unique within a
# calendar and name the same obligation on two different days, and each owner's calendar holds events of
# the whole calendar. Installed into a virtual environment outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${NHI_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhi-ci}/icalendar-venv"
if ! "$venv/bin/python" -c 'import icalendar; assert icalendar.__version__ == "7.3.0"' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "icalendar==7.3.0"
fi

cargo build --release --locked --quiet
nhi="$PWD/target/release/nhi"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$nhi" due tests/data/due --as-of 2026-11-23 --format ics > "$work/day1.ics"
"$nhi" due tests/data/due --as-of 2026-11-30 --format ics > "$work/day2.ics"
"$nhi" build tests/data/due -o "$work/site" --as-of 2026-11-23 --commit 0000000 > /dev/null

"$venv/bin/python" - "$work" <<'PY'
import datetime, glob, os, sys
import icalendar

work = sys.argv[1]

def events(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), f"{path}: lines must end in CRLF"
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), f"{path}: a line longer than 75 octets"
    cal = icalendar.Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0" and cal.get("PRODID"), path
    found = {}
    for ev in cal.walk("VEVENT"):
        uid = str(ev["UID"])
        assert uid not in found, f"{path}: UID {uid} twice"
        start = ev.decoded("DTSTART")
        assert type(start) is datetime.date, f"{path}: {uid} is not an all-day event ({start!r})"
        assert ev.decoded("DTEND") == start + datetime.timedelta(days=1), uid
        assert isinstance(ev.decoded("DTSTAMP"), datetime.datetime), uid
        found[uid] = (str(ev["SUMMARY"]), start, str(ev["DESCRIPTION"]))
    return found

day1 = events(os.path.join(work, "day1.ics"))
day2 = events(os.path.join(work, "day2.ics"))
assert len(day1) >= 8, day1
shared = set(day1) & set(day2)
assert len(shared) >= 5, (day1.keys(), day2.keys())
for uid in shared:
    assert day1[uid][0] == day2[uid][0], f"UID {uid} names {day1[uid][0]!r}, then {day2[uid][0]!r}"
# Escaped TEXT values come back as written: the owner's name with a comma, quotes, <, > and a semicolon.
assert any('Data, "Routing" & <Science>; ops' in d for (_, _, d) in day1.values()), day1

site = os.path.join(work, "site", "calendar")
whole = events(os.path.join(site, "all.ics"))
owners = [p for p in glob.glob(os.path.join(site, "*.ics")) if not p.endswith("all.ics")]
assert len(owners) >= 4, owners
for path in owners:
    for uid, value in events(path).items():
        assert whole.get(uid) == value, f"{path}: {uid} not in all.ics"
print(f"icalendar {icalendar.__version__}: {len(day1)} and {len(day2)} events, {len(shared)} shared UIDs, "
      f"{len(owners)} owner calendars")
PY
