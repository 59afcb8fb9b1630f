//! Host files built around corpus queries, in the layouts published content uses: for the
//! corpus test and the benchmark.

#![allow(dead_code)] // Each test or benchmark builds the hosts it needs.

/// The `n`-th query of a Markdown file in one of the layouts hunts use (``` and ~~~ fences,
/// `KQL`/`kql`/`kusto`/`Kusto` tags, inside numbered lists and block quotes), fenced so that no
/// line of it closes the fence.
pub fn fenced(n: usize, query: &str) -> String {
    let tags = ["KQL", "kql", "kusto", "Kusto"];
    let longest_run = |c: char| {
        query
            .lines()
            .map(|l| l.trim_start().chars().take_while(|&x| x == c).count())
            .max()
            .unwrap_or(0)
    };
    let c = if n.is_multiple_of(2) { '`' } else { '~' };
    let fence = c.to_string().repeat(longest_run(c).max(2) + 1);
    let body = if query.ends_with('\n') {
        query.to_string()
    } else {
        format!("{query}\n")
    };
    let block = format!("{fence}{}\n{body}{fence}\n", tags[n % 4]);
    match n % 3 {
        0 => block,
        1 => format!("{}. Run this:\n\n{}", n + 1, prefixed("   ", &block)),
        _ => prefixed("> ", &block),
    }
}

/// Every line of `text` after `prefix` (blank lines without its trailing spaces).
fn prefixed(prefix: &str, text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                prefix.trim_end().to_string()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A Markdown hunt holding `queries`, with prose and another language's fence between them.
pub fn markdown(title: &str, queries: &[&str]) -> String {
    let mut markdown = format!("# {title}\n\nA hunt, as published.\n\n");
    for (n, query) in queries.iter().enumerate() {
        markdown.push_str(&format!("## Query {}\n\nWhat it finds.\n\n", n + 1));
        markdown.push_str(&fenced(n, query));
        markdown.push_str("\n```powershell\nGet-Date\n```\n\n");
    }
    markdown
}

/// A Sentinel analytics rule whose `query` is a literal block (its indentation said, as a
/// query may start with a deeper line).
pub fn sentinel_yaml(query: &str) -> String {
    let mut yaml = String::from(
        "id: 0f1c5a2e-6b1e-4c3e-9a7e-1f2d3c4b5a69\nname: A hunt\nseverity: Medium\n\
         queryFrequency: 1h\nqueryPeriod: 1d\ntriggerOperator: gt\ntriggerThreshold: 0\nquery: |2\n",
    );
    for line in query.lines() {
        if !line.trim().is_empty() {
            yaml.push_str("  ");
            yaml.push_str(line);
        }
        yaml.push('\n');
    }
    yaml.push_str("version: 1.0.0\nkind: Scheduled\n");
    yaml
}

/// A Defender XDR custom detection rule whose `queryText` is the query.
pub fn defender_json(query: &str) -> String {
    format!(
        "{{\n  \"displayName\": \"A hunt\",\n  \"isEnabled\": true,\n  \"queryCondition\": {{\n    \
         \"queryText\": {}\n  }},\n  \"schedule\": {{ \"period\": \"12H\" }}\n}}\n",
        serde_json::to_string(query).unwrap()
    )
}
