"""The test-only prelude (prelude.kql): `let` statements put in front of the query under test.

Only the statements a query calls, directly or through another statement, are put in front
of it: the engine parses whatever it is given, and the largest functions are rarely needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: A statement starts at a line `let NAME =`, with the comment lines just above it.
_STATEMENT = re.compile(r"^((?://[^\n]*\n)*)let (\w+) =", re.MULTILINE)


@dataclass(frozen=True)
class Prelude:
    #: name -> the statement's text, comments included, in file order.
    statements: dict[str, str]

    @staticmethod
    def load(path: Path) -> Prelude:
        text = path.read_text(encoding="utf-8")
        starts = list(_STATEMENT.finditer(text))
        statements = {}
        for match, after in zip(starts, starts[1:] + [None], strict=True):
            end = after.start() if after else len(text)
            statements[match.group(2)] = text[match.start() : end].rstrip() + "\n"
        return Prelude(statements)

    def names(self) -> list[str]:
        return list(self.statements)

    def for_query(self, query: str) -> str:
        """The statements *query* needs, in file order (a statement may use the ones above it)."""
        needed: set[str] = set()
        pending = [query]
        while pending:
            text = pending.pop()
            for name, statement in self.statements.items():
                if name not in needed and re.search(rf"\b{name}\b", _code(text)):
                    needed.add(name)
                    pending.append(statement.split("=", 1)[1])
        return "".join(s for name, s in self.statements.items() if name in needed)


def _code(text: str) -> str:
    """*text* without `//` comments, so that a name in a comment does not count."""
    return re.sub(r"//[^\n]*", "", text)
