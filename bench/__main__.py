"""`python -m bench [NAME [options]]`: run one benchmark, or all of them with their defaults."""

from __future__ import annotations

import sys

from . import registry


def main(argv: list[str]) -> int:
    benchmarks = registry()
    if argv and argv[0] in ("-h", "--help"):
        print("usage: python -m bench [NAME [options]]\n\nRuns one benchmark (NAME --help for its options), "
              "or all of them with defaults.\n\nbenchmarks:")
        for name, module in benchmarks.items():
            print(f"  {name:12} {getattr(module, 'SUMMARY', '')}")
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in benchmarks:
            print(f"python -m bench: unknown benchmark {name!r} (known: {', '.join(benchmarks)})", file=sys.stderr)
            return 2
        return benchmarks[name].main(rest)
    status = 0
    for name, module in benchmarks.items():
        print(f"== {name}: {getattr(module, 'SUMMARY', '')}")
        status = max(status, module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
