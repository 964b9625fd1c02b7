import errno
import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_load

# Bilingual: the console has no language setting, and a newcomer may read either.
PORT_TAKEN = "端口 {port} 已被占用（Port {port} is already in use）：请关闭占用它的程序，或用 --port 指定其他端口"


class Command(BaseCommand):
    help = (
        "Migrate if needed, load the 2020 campaign if the database is empty (in development with demo accounts: "
        "those accounts, and once a demo campaign of the current year, marked 演示数据, with its deadline ahead), "
        "and serve (waitress, one process, with the task workers as threads of it unless --no-worker). "
        "CHENGXIN_VAR_DIR (default ./var/) holds the SQLite database chengxin.sqlite3 (unless DATABASE_URL), the "
        "task queue tasks.sqlite3 (unless REDIS_URL), uploaded files in files/ (unless CHENGXIN_MEDIA_ROOT), "
        "collected static files in static/ (unless CHENGXIN_STATIC_ROOT) and matplotlib's font cache; logs go to "
        "standard error. A port already in use ends with one line saying so and exit status 1. Several processes "
        "behind nginx: see the README, section Deployment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="run no task worker in this process (a separate `chengxin run_huey` runs the tasks)",
        )

    def handle(self, *args, host: str, port: int, threads: int, no_worker: bool = False, **options):
        # Listen first: a port already taken ends here, before any migration or "serving on" line.
        server = self._listen(host=host, port=port, threads=threads)
        call_command("migrate", interactive=False, verbosity=0)
        if not Campaign.objects.exists():
            campaign = campaign_load(year=2020)
            self.stdout.write(f"已载入 {campaign.title}")
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        elif settings.CHENGXIN_DEMO_ACCOUNTS:
            from chengxin.units.demo import DEMO_TWO_FACTOR_HINT, demo_accounts_ensure

            self.stdout.write("演示账号（仅开发环境）：")
            for username, password, role, unit in demo_accounts_ensure():
                self.stdout.write(f"  {username:<16} 密码 {password}  {role:<6} {unit}")
            self.stdout.write(DEMO_TWO_FACTOR_HINT)
            # The current year as a live demo campaign (deadline ahead), once: 2020's passed long ago.
            from chengxin.site.demo_data import demo_current_year_ensure

            started = time.perf_counter()
            demo_year = demo_current_year_ensure()
            if demo_year is not None:
                self.stdout.write(f"{demo_year.summary}（用时 {time.perf_counter() - started:.1f} 秒）")
        self.stdout.write(f"诚信兴商宣传月活动管理平台：http://{host}:{port}/  （Ctrl+C 停止）")
        self.stdout.flush()

        from huey.contrib.djhuey import HUEY

        # Background tasks (long imports, the daily deadline reminders) run in worker threads of this
        # process: no extra service to start.
        consumer = None
        if not HUEY.immediate and not no_worker:
            consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
            # The consumer installs signal handlers for a process of its own; this process is the web
            # server, so keep its handlers (Ctrl+C and SIGTERM stop the server, then the workers).
            saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
            consumer.start()
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        try:
            server.run()
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)

    def _listen(self, *, host: str, port: int, threads: int):
        """The waitress server, bound and listening on host:port; a port already in use ends the command with
        one line in Chinese and English on standard error and exit status 1 (no traceback)."""
        from waitress.server import create_server

        from chengxin.wsgi import application

        try:
            return create_server(
                application,
                host=host,
                port=port,
                threads=threads,
                ident="chengxin",
                # X-Forwarded-* reach Django untouched: chengxin.core.proxy reads them, trusting exactly
                # CHENGXIN_TRUSTED_PROXY_COUNT proxies, as under gunicorn.
                clear_untrusted_proxy_headers=False,
                # The largest body any page accepts; the pages refuse what exceeds their own limit.
                max_request_body_size=max(settings.CHENGXIN_MAX_REQUEST_BYTES, settings.CHENGXIN_IMPORT_MAX_BYTES),
            )
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            self.stderr.write(PORT_TAKEN.format(port=port))
            raise SystemExit(1) from None
