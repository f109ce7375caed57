"""Deterministic synthetic Sparkify data in the real layout, with the real quirks.

    python spark-jobs/generate_data.py --songs 200 --events 5000 --start-date 2018-11-01 \
        --days 30 --seed 42 --out .emrflow/sample-data

song_data/A/B/C/TRABC....json  one JSON object per file (the Million Song Dataset subset's shape),
                               in every layout real files come in (see SONG_LAYOUTS)
log_data/YYYY/MM/YYYY-MM-DD-events.json  JSON Lines, one event per line

Quirks on purpose: logged-out events with an empty userId, null artist fields, year 0, users
who upgrade from free to paid, duplicate timestamps, plays that match a song exactly, plays
that almost match (same title but another artist, or a duration off by more than 0.01 s),
song files on one line or pretty-printed, with or without a trailing newline, with CRLF line
ends or a UTF-8 byte order mark, and, with --malformed-share, broken log lines. Same
arguments, same bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import string
import sys

FIRST = ["Ada", "Alan", "Grace", "Linus", "Ken", "Barbara", "Edsger", "Donald", "Margaret", "John",
         "Frances", "Radia", "Tim", "Hedy", "Claude", "Katherine", "Niklaus", "Sophie", "Guido", "Anita"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Thompson", "Liskov", "Dijkstra", "Knuth",
        "Hamilton", "McCarthy", "Allen", "Perlman", "Berners-Lee", "Lamarr", "Shannon", "Johnson"]
CITIES = ["San Francisco-Oakland-Hayward, CA", "New York-Newark-Jersey City, NY-NJ-PA",
          "Chicago-Naperville-Elgin, IL-IN-WI", "Atlanta-Sandy Springs-Roswell, GA", "Portland-South Portland, ME"]
AGENTS = ['"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"',
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0",
          '"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53"']
PAGES = ["Home", "Logout", "Settings", "Help", "About", "Upgrade", "Downgrade"]


def fail(message: str) -> None:
    sys.stderr.write("generate_data.py: error: %s\n" % message)
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Generate deterministic Sparkify song and log data.")
    p.add_argument("--songs", type=int, required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--start-date", required=True, help="YYYY-MM-DD, first day of logs")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True)
    p.add_argument("--malformed-share", type=float, default=0.0)
    a = p.parse_args(argv)
    try:
        a.start = dt.datetime.strptime(a.start_date, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        fail("--start-date %s: expected YYYY-MM-DD" % a.start_date)
    if a.songs < 1 or a.events < 0 or a.days < 1:
        fail("--songs and --days must be at least 1 and --events at least 0")
    if not 0 <= a.malformed_share < 1:
        fail("--malformed-share must be in [0, 1)")
    if os.path.exists(a.out) and os.listdir(a.out):
        fail("--out %s exists and is not empty" % a.out)
    return a


def make_songs(rng: random.Random, n: int):
    artists = []
    for i in range(max(1, n // 3)):
        has_geo = rng.random() < 0.6
        artists.append({
            "artist_id": "AR%s%05d" % ("".join(rng.choice(string.ascii_uppercase) for _ in range(6)), i),
            "artist_name": "%s %s" % (rng.choice(FIRST), rng.choice(LAST)) if rng.random() < 0.7 else "The %ss" % rng.choice(LAST),
            "artist_location": rng.choice(CITIES) if has_geo else "",
            "artist_latitude": round(rng.uniform(25, 48), 5) if has_geo else None,
            "artist_longitude": round(rng.uniform(-123, -70), 5) if has_geo else None,
        })
    songs = []
    for i in range(n):
        a = rng.choice(artists)
        songs.append(dict(a, num_songs=1,
                          song_id="SO%s%05d" % ("".join(rng.choice(string.ascii_uppercase) for _ in range(6)), i),
                          title="%s %s" % (rng.choice(["Love", "Night", "Blue", "Road", "Fire", "Rain"]), i),
                          duration=round(rng.uniform(90, 420), 5),
                          year=0 if rng.random() < 0.3 else rng.randint(1960, 2010)))
    return songs


# One JSON object per song file, in the layouts found in the wild (a public Sparkify
# sample had pretty-printed files). Chosen by the song's index, not the random
# generator, so adding a layout does not change any other generated value.
SONG_LAYOUTS = {
    "one-line": lambda s: json.dumps(s).encode("utf-8"),
    "one-line-newline": lambda s: (json.dumps(s) + "\n").encode("utf-8"),
    "pretty": lambda s: (json.dumps(s, indent=4) + "\n").encode("utf-8"),
    "pretty-crlf": lambda s: json.dumps(s, indent=2).replace("\n", "\r\n").encode("utf-8"),
    "bom": lambda s: b"\xef\xbb\xbf" + (json.dumps(s) + "\r\n").encode("utf-8"),
}


def write_songs(out: str, songs) -> None:
    layouts = list(SONG_LAYOUTS.values())
    for i, s in enumerate(songs):
        track = "TR" + s["song_id"][2:]
        d = os.path.join(out, "song_data", track[2], track[3], track[4])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, track + ".json"), "wb") as f:
            f.write(layouts[i % len(layouts)](s))


def make_events(rng: random.Random, songs, a):
    users = [{"userId": str(i + 2), "firstName": rng.choice(FIRST), "lastName": rng.choice(LAST),
              "gender": rng.choice("MF"), "level": "free", "location": rng.choice(CITIES),
              "userAgent": rng.choice(AGENTS), "registration": 1540000000000 + i * 7919}
             for i in range(max(2, a.events // 80))]
    span_ms = a.days * 86400 * 1000
    start_ms = int(a.start.timestamp() * 1000)
    events = []
    for i in range(a.events):
        ts = start_ms + int(rng.random() * span_ms)
        if events and rng.random() < 0.01:
            ts = events[-1]["ts"]  # duplicate timestamp
        u = rng.choice(users)
        if rng.random() < 0.02:
            u["level"] = "paid"  # upgrades happen; the latest event's level wins
        logged_out = rng.random() < 0.05
        e = {"artist": None, "auth": "Logged Out" if logged_out else "Logged In",
             "firstName": None if logged_out else u["firstName"], "gender": None if logged_out else u["gender"],
             "itemInSession": rng.randint(0, 100), "lastName": None if logged_out else u["lastName"],
             "length": None, "level": u["level"], "location": None if logged_out else u["location"],
             "method": "GET", "page": "Home", "registration": None if logged_out else u["registration"],
             "sessionId": rng.randint(1, 1200), "song": None, "status": 200, "ts": ts,
             "userAgent": None if logged_out else u["userAgent"], "userId": "" if logged_out else u["userId"]}
        r = rng.random()
        if not logged_out and r < 0.8:
            s = rng.choice(songs)
            e.update(method="PUT", page="NextSong", song=s["title"], artist=s["artist_name"], length=s["duration"])
            q = rng.random()
            if q < 0.15:
                e["artist"] = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))  # same title, other artist
            elif q < 0.3:
                e["length"] = round(s["duration"] + rng.choice([-1, 1]) * rng.uniform(0.02, 3), 5)  # duration off
            elif q < 0.5:
                e.update(song="Unknown Song %d" % i, artist="Unknown Artist", length=200.0)
        elif not logged_out:
            e["page"] = rng.choice(PAGES)
        else:
            e["page"] = rng.choice(["Home", "Login", "About"])
        events.append(e)
    events.sort(key=lambda e: e["ts"])
    return events


def write_events(out: str, events, rng: random.Random, malformed_share: float) -> int:
    by_day = {}
    for e in events:
        day = dt.datetime.fromtimestamp(e["ts"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d")
        by_day.setdefault(day, []).append(e)
    malformed = 0
    for day, evs in sorted(by_day.items()):
        d = os.path.join(out, "log_data", day[:4], day[5:7])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%s-events.json" % day), "w") as f:
            for e in evs:
                line = json.dumps(e)
                if malformed_share and rng.random() < malformed_share:
                    line = line[: len(line) // 2]
                    malformed += 1
                f.write(line + "\n")
    return malformed


def main(argv=None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    rng = random.Random(a.seed)
    songs = make_songs(rng, a.songs)
    events = make_events(rng, songs, a)
    write_songs(a.out, songs)
    malformed = write_events(a.out, events, rng, a.malformed_share)
    print("generated %d songs and %d events (%d malformed) from %s over %d days into %s"
          % (len(songs), len(events), malformed, a.start_date, a.days, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
