#!/usr/bin/env python3
"""Agreement with Microsoft's KQL parser on mutated corpus queries.

Takes the queries of the corpus that Microsoft's parser accepts, makes seeded mutants of them
(a token deleted, a token inserted, two adjacent tokens swapped; or, with `--trivia`, the
space between two tokens changed: a line break of any kind, a comment, an odd space, or
none), labels each mutant with
Microsoft's parser (kqlcheck.js, syntax only) and with `kqlsmith parse`, and prints how often
the two agree, then each disagreement with the mutant's text.

    tests/agreement/mutate.py                      # 3,000 mutants, seed 1
    tests/agreement/mutate.py --count 500 --seed 7 --keep /tmp/mutants
    tests/agreement/mutate.py --trivia --seed 5

Needs Node.js with the parser installed (../shared/oracle/README.md) and a built kqlsmith
(`cargo build`; KQLSMITH_BIN or --kqlsmith for another binary). The mutants are written to a
temporary folder (or --keep DIR) and never into the repository.
"""

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Tokens: comments, strings of every form, words (with `-` inside operator names), numbers,
# two-character operators, then any single character that is not a space.
TOKEN = re.compile(
    r"""//[^\n]*
      | ```.*?``` | ~~~.*?~~~
      | [hH]?@?'(?:[^'\\\n]|\\.)*' | [hH]?@?"(?:[^"\\\n]|\\.)*"
      | [A-Za-z_$][A-Za-z0-9_]*(?:-[a-z]+)*
      | \d+(?:\.\d+)?[A-Za-z]*
      | ==|!=|=~|!~|<=|>=|<>|=>|\.\.
      | \S""",
    re.VERBOSE | re.DOTALL,
)

# Tokens an insertion picks from, besides the query's own.
EXTRA = ["|", ",", "(", ")", "[", "]", "=", "==", "*", "/", "by", "on", "and", "or", "not",
         "where", "extend", "project", "summarize", "let", ";", "'x'", "1", "in", "has", "~~~",
         "!", ".", ":", "-", "+", "{", "}", "=>", "..", "@", "$left", "kind=inner", "//"]


# What `--trivia` puts between two tokens: line breaks (`\r` alone, U+2028), comments ended
# by each of them, spaces KQL takes or refuses (a form feed, U+3000, U+200B, a vertical tab,
# U+0085), or nothing at all.
TRIVIA = ["", " ", "\n", "\r\n", "\r", "\u2028", "\u2029", "// c\n", "// c\r", "// c\u2028",
          "\t", "\x0c", "\x0b", "\u3000", "\u200b", "\u0085", "\n\n", "/*x*/"]


def tokens(text):
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def mutate(text, rng):
    spans = tokens(text)
    if len(spans) < 2:
        return None
    kind = rng.choice(["delete", "insert", "swap"])
    i = rng.randrange(len(spans))
    start, end = spans[i]
    if kind == "delete":
        return text[:start] + text[end:]
    if kind == "insert":
        if rng.random() < 0.5:
            s, e = rng.choice(spans)
            piece = text[s:e]
        else:
            piece = rng.choice(EXTRA)
        sep = rng.choice([" ", "", "\n"])
        return text[:start] + piece + sep + text[start:]
    if i + 1 >= len(spans):
        return None
    s2, e2 = spans[i + 1]
    return text[:start] + text[s2:e2] + text[end:s2] + text[start:end] + text[e2:]


def mutate_trivia(text, rng):
    """Changes what stands between two adjacent tokens, twice."""
    for _ in range(2):
        spans = tokens(text)
        if len(spans) < 2:
            return None
        i = rng.randrange(len(spans) - 1)
        gap = (spans[i][1], spans[i + 1][0])
        piece = rng.choice(TRIVIA)
        if rng.random() < 0.5:
            text = text[:gap[0]] + piece + text[gap[1]:]
        else:
            text = text[:gap[0]] + piece + text[gap[0]:]
    return text


def label(command):
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    verdicts = {}
    # One JSON object a line; `splitlines` would also cut at U+2028 or a form feed inside one.
    for line in out.split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        if "file" in row:
            verdicts[Path(row["file"]).name] = row
    return verdicts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--oracle", default=str(Path.home() / "kql-oracle" / "kqlcheck.js"))
    ap.add_argument("--kqlsmith", default=os.environ.get(
        "KQLSMITH_BIN", str(ROOT / "target" / "debug" / "kqlsmith")))
    ap.add_argument("--keep", help="write the mutants to this folder and keep them")
    ap.add_argument("--show", type=int, default=20, help="disagreements to print")
    ap.add_argument("--trivia", action="store_true",
                    help="change the spaces, line breaks and comments between tokens instead")
    args = ap.parse_args()

    corpus = Path(args.corpus)
    with open(corpus / "manifest.tsv", newline="", encoding="utf-8") as f:
        valid = [r["file"] for r in csv.DictReader(f, delimiter="\t")
                 if r["oracle_syntax_ok"] == "yes"]
    rng = random.Random(args.seed)
    texts = {}
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kql-mutants-"))
    folder.mkdir(parents=True, exist_ok=True)
    while len(texts) < args.count:
        source = rng.choice(valid)
        text = (corpus / source).read_text(encoding="utf-8")
        mutant = mutate_trivia(text, rng) if args.trivia else mutate(text, rng)
        if mutant is None or mutant == text:
            continue
        name = f"m{len(texts):05d}.kql"
        (folder / name).write_text(mutant, encoding="utf-8")
        texts[name] = (source, mutant)

    oracle = label(["node", args.oracle, str(folder)])
    ours = label([args.kqlsmith, "parse", "--format", "json", str(folder)])
    agree = 0
    disagreements = []
    counts = {"both accept": 0, "both reject": 0}
    for name, (source, mutant) in sorted(texts.items()):
        o, k = oracle[name]["ok"], ours[name]["ok"]
        if o == k:
            agree += 1
            counts["both accept" if o else "both reject"] += 1
        else:
            disagreements.append((name, source, o, oracle[name], ours[name]))
    total = len(texts)
    for name, source, o, orow, krow in disagreements[: args.show]:
        print(f"--- {name} (from {source}): Microsoft {'accepts' if o else 'rejects'}, "
              f"kqlsmith {'rejects' if o else 'accepts'}")
        if not o:
            print(f"    Microsoft: {orow['errors'][0]}")
        else:
            print(f"    kqlsmith: {krow['errors'][0] if krow['errors'] else krow}")
        print("    " + texts[name][1][:600].replace("\n", "\n    "))
    print(f"mutants: {total} (seed {args.seed}); agreement {agree}/{total} = "
          f"{100 * agree / total:.2f}% (both accept {counts['both accept']}, "
          f"both reject {counts['both reject']}, Microsoft only accepts "
          f"{sum(1 for d in disagreements if d[2])}, kqlsmith only accepts "
          f"{sum(1 for d in disagreements if not d[2])})")
    if args.keep:
        print(f"mutants kept in {folder}")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
