#!/usr/bin/env python3
"""Writes corpus_oracle.tsv: for each corpus file Microsoft's parser accepts, the platform
kqlsmith lints it as and the byte offsets where Microsoft's analyzer, run with that
platform's schema, reports an unknown name (KS142 name, KS204 table, KS211 function).

usage: label.py CORPUS_DIR PLATFORMS.tsv DEFENDER.jsonl SENTINEL.jsonl > corpus_oracle.tsv

PLATFORMS.tsv: `file<TAB>platform` lines (the corpus test prints them as `platform<TAB>...`
lines with KQLSMITH_CORPUS_FINDINGS=1). The .jsonl files are kqlcheck.js's output over the
corpus with `--schema ../shared/schemas/defender.json` and `sentinel.json`, run in the
folder that holds them; its offsets are UTF-16 code units, turned into byte offsets here.
"""
import json
import os
import sys

UNKNOWN = {"KS142", "KS204", "KS211"}


def oracle(path, corpus):
    out = {}
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        if row.get("summary"):
            continue
        # kqlcheck.js names files as given, relative to where it ran: the .jsonl's folder.
        name = os.path.join(os.path.dirname(os.path.abspath(path)), row["file"])
        rel = os.path.relpath(os.path.realpath(name), os.path.realpath(corpus))
        out[rel] = row["errors"]
    return out


def byte_offsets(text):
    """UTF-16 code unit index -> byte offset."""
    table, units, pos = {}, 0, 0
    for ch in text:
        table[units] = pos
        units += 2 if ord(ch) > 0xFFFF else 1
        pos += len(ch.encode("utf-8"))
    table[units] = pos
    return table


def main():
    corpus, platforms, defender, sentinel = sys.argv[1:5]
    labels = {"defender": oracle(defender, corpus), "sentinel": oracle(sentinel, corpus)}
    print("# file\tplatform\tbyte offsets of the unknown names Microsoft's analyzer reports")
    for line in open(platforms, encoding="utf-8"):
        file, platform = line.rstrip("\n").split("\t")
        errors = labels[platform].get(file)
        if errors is None:
            continue
        text = open(os.path.join(corpus, file), encoding="utf-8", errors="replace").read()
        table = byte_offsets(text)
        offsets = sorted({table[e["start"]] for e in errors if e["code"] in UNKNOWN})
        print(f"{file}\t{platform}\t{','.join(map(str, offsets))}")


main()
