"""Exit 0 when the PostgreSQL server of the given URL accepts connections."""

from __future__ import annotations

import sys

import psycopg
from sqlalchemy.engine import make_url


def main() -> int:
    url = make_url(sys.argv[1])
    try:
        psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
