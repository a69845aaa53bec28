"""`column IN (values)` with ONE bound parameter, however many values: SQLite reads them from
a JSON array (json_each), PostgreSQL from an array (= ANY). A long article's hashes can never
hit a database's limit on parameters ("too many SQL variables")."""
from __future__ import annotations

import json

from sqlalchemy import BigInteger, Text, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection


def one_of(conn: Connection, column, values) -> object:
    """A condition: column is one of values (integers or strings)."""
    values = list(values)
    if conn.dialect.name == "postgresql":
        kind = BigInteger if all(isinstance(v, int) for v in values) else Text
        return column == any_(bindparam(None, values, type_=ARRAY(kind)))
    listed = select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(values))))
    return column.in_(listed)
