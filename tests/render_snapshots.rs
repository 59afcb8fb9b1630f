//! Snapshots of every hunt profile (`profiles/hunts/*.toml`) rendered for every platform, and
//! of what each platform changes compared with the first one, so that a change to a template
//! or profile shows in review as a readable diff of the queries it produces.

use kqlsmith_hunt::export::{self, RuleFormat};
use kqlsmith_hunt::{profile, render};
use kqlsmith_lint::Platform;
use similar::TextDiff;

#[test]
fn every_profile_for_every_platform() {
    insta::glob!("../profiles/hunts", "*.toml", |path| {
        let hunt = profile::load_file(path, &[]).unwrap();
        let platforms = Platform::builtins();
        let queries: Vec<String> = platforms
            .iter()
            .map(|platform| render::render(&hunt, platform).unwrap())
            .collect();
        for (platform, query) in platforms.iter().zip(&queries) {
            insta::assert_snapshot!(platform.name.as_str(), query);
        }
        // What the platform changes: a unified diff against the first platform's query.
        let (base, base_query) = (&platforms[0], &queries[0]);
        for (platform, query) in platforms.iter().zip(&queries).skip(1) {
            let diff = TextDiff::from_lines(base_query.as_str(), query.as_str())
                .unified_diff()
                .context_radius(0)
                .header(&base.name, &platform.name)
                .to_string();
            insta::assert_snapshot!(format!("{}-vs-{}", platform.name, base.name), diff);
        }
    });
}

/// Snapshots of the rule files of the detection, in every format it is written in, for review.
#[test]
fn the_detection_in_every_rule_format() {
    let hunt = profile::load_shipped("internal-connections-detection", &[])
        .unwrap()
        .unwrap();
    for format in RuleFormat::ALL {
        for platform in Platform::builtins() {
            if format
                .platform_name()
                .is_some_and(|name| name != platform.name)
                || format == RuleFormat::Kql
            {
                continue;
            }
            let text = export::emit(&hunt, format, &platform).unwrap();
            insta::assert_snapshot!(format!("detection-{format}"), text);
        }
    }
}
