"""``partnership``: the command-line tool for instructors and maintainers.

Each subcommand lives in its own module and is imported only when it runs, so ``partnership
--help`` is instant and one subcommand's dependencies never slow another. To add one, append a
row to COMMANDS: (name, "module:function", help). The module function ``register(parser)`` adds
the subcommand's arguments and ``run(args) -> int`` does the work.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module that defines register(parser) and run(args), one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check-quizzes": ("partnership.commands.check_quizzes",
                      "validate the book's self-check files and count questions per chapter"),
    "check-banks": ("partnership.commands.check_banks",
                    "validate scenario banks and conversation banks (shipped or your own) and "
                    "count items per skill and clients"),
    "coach": ("partnership.commands.coach",
              "code a written response to a client statement and suggest how to improve it"),
    "coach-eval": ("partnership.commands.coach_eval",
                   "score the reflection coach against expert codes in an AnnoMI-format CSV"),
    "labs": ("partnership.commands.labs",
             "copy the practice labs into a folder of your own and open them in JupyterLab"),
    "assignment": ("partnership.commands.assignment",
                   "build a graded assignment from a bank, check it, file a submission, report "
                   "grading problems"),
    "course": ("partnership.commands.course",
               "import a roster into the gradebook; write course.yml's due dates into it"),
    "item-analysis": ("partnership.commands.item_analysis",
                      "difficulty, discrimination and option shares per item; flags items that "
                      "may be miskeyed"),
    "coach-agreement": ("partnership.commands.coach_agreement",
                        "the coach's suggested scores for written answers against your marks "
                        "(weighted kappa)"),
    "lms-export": ("partnership.commands.lms_export",
                   "per-question grades and Canvas and Moodle gradebook import files, per "
                   "assignment, holding only the scores that are ready"),
    "grade-demo": ("partnership.commands.grade_demo",
                   "run the nbgrader round trip on simulated students, attacks included, and "
                   "print every score beside what the answers deserve"),
}


def _load(module: str):
    return importlib.import_module(module)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnership",
        description="Therapy as Partnership: tools for instructors and maintainers.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        # Arguments are registered lazily below, only for the command actually chosen.
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    name = argv[0]
    if name not in COMMANDS:
        parser.error(f"unknown command {name!r}; run 'partnership --help' for the list")
    module = _load(COMMANDS[name][0])
    sub = argparse.ArgumentParser(prog=f"partnership {name}", description=COMMANDS[name][1])
    module.register(sub)
    args = sub.parse_args(argv[1:])
    return int(module.run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
