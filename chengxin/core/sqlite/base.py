"""Django's SQLite backend, creating the database file readable by this account only (0600) before the first
connection: the embedded database holds password hashes and TOTP secrets. SQLite gives the -wal and -shm files
the main file's mode. Everything else is Django's own backend."""

from django.db.backends.sqlite3 import base

from chengxin.core.env import ensure_private_file


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        if name and name != ":memory:" and not name.startswith("file:"):
            ensure_private_file(name)
        return super().get_new_connection(conn_params)
