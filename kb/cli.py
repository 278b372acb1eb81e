"""The `kb` command.

Exit codes: 0 conforms, 1 findings at or above --fail-on, 2 unreadable input or usage error.
"""

from __future__ import annotations

import argparse
import sys

from kb import __version__

EPILOG = """examples:
  kb validate data/examples                      validate the bundled sample records
  kb validate meeting.json --format json         one file, machine-readable
  cat records.ttl | kb validate - --fail-on warning
  kb validate meetings/ --profile broad          read the caps as widely as the text allows
  kb validate m.json --set P_A08_45_scope=allMeetings
  kb settings                                    list the interpretation settings

exit codes: 0 conforms, 1 findings found, 2 unreadable input or usage error
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kb", description="The Daxing work-style regulation as a knowledge base.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check event records against the regulation",
                                   epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    validate.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate.add_argument("--fail-on", choices=("violation", "warning", "info"), default="violation",
                          help="lowest severity that makes the exit code 1 (default: violation)")
    validate.add_argument("-o", "--output", default="-", help="write the report to a file (default: stdout)")
    validate.add_argument("--profile", default="default",
                          help="interpretation profile (data/profiles/settings.trig; see `kb settings`)")
    validate.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                          help="choose one setting's alternative, e.g. --set P_A08_45_scope=allMeetings")

    commands.add_parser("settings", help="list the interpretation settings, their alternatives and the profiles")
    cover = commands.add_parser("coverage", help="every constraint with its shapes and test cases, or the reason")
    cover.add_argument("--format", choices=("text", "json"), default="text")

    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.command == "validate":
        return _validate(args)
    if args.command == "settings":
        return _settings()
    if args.command == "coverage":
        return _coverage(args)
    return 2


def _coverage(args) -> int:
    import json

    from kb import coverage

    rows = coverage.coverage()
    if args.format == "json":
        print(json.dumps(coverage.as_json(rows), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(coverage.as_text(rows))
    return 0


def _choices(args):
    from kb.profiles import SettingError, resolve

    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SettingError(f"--set takes SETTING=VALUE, got {item!r}")
        overrides[name.strip()] = value.strip()
    return resolve(args.profile, overrides)


def _settings() -> int:
    from kb import profiles

    for name, setting in sorted(profiles.settings().items()):
        default = next(c for c in profiles.resolve() if c.setting == name)
        print(f"{name}: {profiles.label(setting, 'en')}")
        for value, alternative in sorted(profiles.alternatives(setting).items()):
            mark = "*" if alternative == default.iri else " "
            print(f"  {mark} {value:<22} {profiles.label(alternative, 'en')} / {profiles.label(alternative, 'zh')}")
    print("\nprofiles: " + ", ".join(sorted(profiles.profiles())) + "   (* = default)")
    return 0


def _validate(args) -> int:
    from kb.profiles import SettingError
    from kb.report import FORMATS
    from kb.validate import validate_paths

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    outcome = validate_paths(args.paths, choices=choices)
    text = FORMATS[args.format](outcome)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    if outcome.errors:
        for error in outcome.errors:
            print(f"kb: {error}", file=sys.stderr)
        return 2
    rank = {"info": 0, "warning": 1, "violation": 2}
    worst = max((rank[f.severity.lower()] for f in outcome.findings), default=-1)
    return 1 if worst >= rank[args.fail_on] else 0


if __name__ == "__main__":
    sys.exit(main())
