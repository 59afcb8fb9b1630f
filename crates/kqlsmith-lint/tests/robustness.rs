//! Bad input never panics the linter: mutated queries (cut, spliced, with stray tokens),
//! arbitrary bytes made text, and very long or deep queries all end in diagnostics.

use kqlsmith_lint::{Config, Linter, Platform};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "|",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "=",
    "==",
    "=~",
    "<>",
    "let ",
    "where ",
    "summarize ",
    "by ",
    "join ",
    "kind=",
    "on ",
    "$left.",
    "$right.",
    "extend ",
    "project ",
    "arg_max(",
    "*",
    "count()",
    "\"",
    "'",
    "//",
    "\n",
    "1d",
    "ago(",
    "Timestamp",
    "TimeGenerated",
    "DeviceName",
    "mv-expand ",
    "parse ",
    "with ",
    "union ",
    "evaluate ",
    "invoke ",
    "as ",
    "datatable(",
    ":string",
    "toscalar(",
    "materialize(",
    "é",
    "\u{0}",
];

fn linters() -> [Linter; 2] {
    ["defender", "sentinel"].map(|p| Linter::new(Platform::builtin(p).unwrap(), Config::new()))
}

fn seeds() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seeds = Vec::new();
    for folder in std::fs::read_dir(root).unwrap() {
        for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
            seeds.push(std::fs::read_to_string(file.unwrap().path()).unwrap());
        }
    }
    seeds
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(3) {
            0 => {
                let end = (at + rng.below(20)).min(out.len());
                out.drain(at..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.chars());
            }
            _ => {
                let from = rng.below(chars.len());
                let end = (from + rng.below(40)).min(chars.len());
                out.splice(at..at, chars[from..end].iter().copied());
            }
        }
    }
    out.into_iter().collect()
}

#[test]
fn mutated_queries_never_panic() {
    let linters = linters();
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..1500 {
        let seed = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        for linter in &linters {
            let diagnostics = linter.lint(&text);
            for d in &diagnostics {
                assert!(
                    d.range.start <= d.range.end && d.range.end <= text.len(),
                    "{d:?} in {text:?}"
                );
            }
            // Fixing either applies and still parses, or refuses.
            if let Ok(fixed) = linter.fix(&text, None)
                && fixed.applied > 0
            {
                assert!(kqlsmith_syntax::parse(&fixed.source).is_ok(), "{text:?}");
            }
        }
    }
}

#[test]
fn arbitrary_text_never_panics() {
    let linters = linters();
    let mut rng = Rng(42);
    for _ in 0..500 {
        let text: String = (0..rng.below(200))
            .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
            .collect();
        for linter in &linters {
            linter.lint(&text);
        }
    }
}

#[test]
fn huge_and_deep_queries_end_in_diagnostics() {
    let [defender, _] = linters();
    let long_or = format!(
        "DeviceEvents | where Timestamp > ago(1d) | where {}",
        (0..5000)
            .map(|i| format!("ActionType == \"{i}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let deep = format!("print {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let stages = format!(
        "DeviceEvents | where Timestamp > ago(1d){}",
        (0..3000)
            .map(|i| format!(" | extend C{i} = {i}"))
            .collect::<String>()
    );
    let lets = (0..3000)
        .map(|i| format!("let L{i} = {i};\n"))
        .collect::<String>()
        + "print L2999";
    for text in [long_or, deep, stages, lets] {
        // Either it lints, or the parser refuses it with a syntax error; never a crash.
        let diagnostics = defender.lint(&text);
        assert!(diagnostics.iter().all(|d| d.range.end <= text.len()));
    }
}
