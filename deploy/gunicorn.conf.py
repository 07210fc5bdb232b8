"""Gunicorn's settings for Sunshine in production, behind nginx (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py

Sync workers read each request body themselves, one request at a time, so a client that trickles its body holds a
worker until it is done; a few such clients would hold them all. That is why only nginx may connect here: it reads
every request whole before passing it on (deploy/nginx/sunshine.conf). Options given on gunicorn's command line
override these.
"""

import multiprocessing
import os

wsgi_app = "app.wsgi:application"

# A Unix socket only nginx can reach. Under systemd the socket unit (deploy/systemd/sunshine-web.socket) creates
# it and hands it over, and this is ignored.
bind = ["unix:/run/sunshine/web.sock"]
# Two workers a core and one more, gunicorn's usual rule for sync workers (WEB_CONCURRENCY overrides it).
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
# A request that takes longer than this is stopped and its worker replaced: a large catalog import is the slowest
# legitimate request. nginx's proxy_read_timeout waits a little longer than this.
timeout = 120
graceful_timeout = 30
# nginx opens one connection per request (no upstream keepalive), so this only bounds a stray idle connection.
keepalive = 5
# Workers are replaced now and then, so memory a worker once needed (a large import) is given back.
max_requests = 2000
max_requests_jitter = 200

# Request line and headers, bounded as nginx bounds them (large_client_header_buffers 4 8k).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto is believed from nginx only (a Unix socket's peer is always nginx; over TCP, this host). The
# application itself reads X-Forwarded-For/-Proto through ProxyFix when SUNSHINE_TRUSTED_PROXIES says so.
forwarded_allow_ips = "127.0.0.1,::1"
# The socket and anything written are not for other users.
umask = 0o007
# No runtime control socket (gunicorn 25+): operators use systemctl.
control_socket_disable = True

# Both logs go to the journal (stderr); the access log says who asked what, the address as nginx passed it on.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms'
