"""`python -m bench.serve_wsgi --port P [--threads 8]`: waitress serving bench.wsgi the way `chengxin serve` serves
the product (one process, 8 threads, proxy headers passed through), so that the benchmarks' bare baselines run with
no middleware on the one-process shape too. The database must be set up already (migrate, data)."""

import argparse

from waitress import serve

from bench.wsgi import application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    serve(
        application,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="chengxin",
        clear_untrusted_proxy_headers=False,
    )


if __name__ == "__main__":
    main()
