"""gunicorn, the production server of chengxin (README, section Deployment):

    gunicorn -c deploy/gunicorn.conf.py chengxin.wsgi

Several worker processes use every core (one Python process uses about one, because of the GIL); nginx in front
buffers slow clients and uploads, so each worker serves one request at a time (sync workers) unless
CHENGXIN_THREADS asks for threads. Every setting comes from the environment (systemd: /etc/chengxin/chengxin.env):

  CHENGXIN_BIND                  address:port (or unix:/path) to listen on; default 127.0.0.1:8001
  CHENGXIN_WORKERS               worker processes; default 2 × the CPU cores
  CHENGXIN_THREADS               threads per worker; default 1 (sync workers)
  CHENGXIN_TRUSTED_PROXY_COUNT   the one proxy setting of chengxin (settings.py); above 0, the scheme the proxy
                                 reports (X-Forwarded-Proto) is believed from any address: bind the app processes
                                 to an address only the proxies reach
  PROMETHEUS_MULTIPROC_DIR       where the workers write their metrics (emptied at start); default a new
                                 temporary folder
"""

import os
import shutil
import tempfile

_proxies = int(os.environ.get("CHENGXIN_TRUSTED_PROXY_COUNT") or 0)

bind = [os.environ.get("CHENGXIN_BIND") or "127.0.0.1:8001"]
workers = int(os.environ.get("CHENGXIN_WORKERS") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("CHENGXIN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
proc_name = "chengxin-web"

# The national table of 3,400 units takes about a second; a stuck request is cut after two minutes.
timeout = 120
graceful_timeout = 30
# Workers are replaced now and then (not all at once), so that no leak can grow for months.
max_requests = 5000
max_requests_jitter = 500

# chengxin logs one line per request itself (request id, user, client IP, duration): no second access log.
accesslog = None
errorlog = "-"
loglevel = "warning"

# gunicorn's own view of the scheme (wsgi.url_scheme) follows chengxin's proxy setting; Django reads the same
# header (SECURE_PROXY_SSL_HEADER) and REMOTE_ADDR is set by chengxin.core.proxy.ProxyMiddleware.
forwarded_allow_ips = "*" if _proxies else "127.0.0.1,::1"
# Several gunicorn instances on one machine (tests, a spare) must not fight over one control socket.
control_socket_disable = True

# Metrics of every worker in one scrape (chengxin.ops.metrics). Set before the workers import prometheus_client.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="chengxin-metrics-"))


def on_starting(server):
    """Refuse several workers without a shared cache, and start the metrics afresh."""
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "chengxin: several worker processes need a shared cache: set REDIS_URL (每个进程各有缓存时，"
            "公开页面与统计会不一致；多进程部署必须设置 REDIS_URL)."
        )
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
