"""How long a SQLite database's write-ahead log is, watched from outside.

    python tests/bench/wal_frames.py DATABASE [--seconds 30] [--every 2]

Prints, every `--every` seconds, the frames in the log (`mxFrame`, offset 16
of the wal-index header at the start of DATABASE-shm, little-endian on
x86). Reading the shared-memory file takes no lock and changes nothing, so
it can watch a benchmark's database while the round runs (for the round's
temporary database: /tmp/tmp*/round.sqlite3). A log that only grows means
checkpoints cannot restart it and every read looks through more of it.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import struct
import time


def frames(database: str) -> int:
    with open(f"{database}-shm", "rb") as header:
        return struct.unpack_from("<I", header.read(48), 16)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=2.0)
    args = parser.parse_args()
    seen = []
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        seen.append(frames(args.database))
        print(json.dumps({"at": time.strftime("%H:%M:%S"), "frames": seen[-1]}), flush=True)
        time.sleep(args.every)
    print(json.dumps({"samples": len(seen), "min": min(seen), "max": max(seen)}))


if __name__ == "__main__":
    main()
