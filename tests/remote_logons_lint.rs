//! The remote-logons hunt lints clean (no finding of any severity) on each platform, in its
//! shipped form and with the options that change the query's shape.

const VARIANTS: &[&[(&str, &str)]] = &[
    &[],
    &[("search.sources", "DeviceLogonEvents")],
    &[("search.sources", "IdentityLogonEvents")],
    &[
        ("filters.exclude_self", "by-name"),
        ("device.match", "case-insensitive"),
    ],
    &[
        ("filters.exclude_self", "off"),
        ("search.device_logon_types", ""),
    ],
    &[("filters.excluded_account_names", "svc-backup,svc-deploy")],
    &[
        ("device_addresses.lookback", "0d"),
        ("output.comments", "false"),
    ],
];

#[test]
fn remote_logons_lint_clean_on_each_platform() {
    for platform in kqlsmith::platforms() {
        for variant in VARIANTS {
            let overrides: Vec<kqlsmith::Override> = variant
                .iter()
                .map(|(key, value)| kqlsmith::Override::new(*key, *value, "test"))
                .collect();
            let hunt = kqlsmith::shipped_profile_with("remote-logons", &overrides).unwrap();
            let query = kqlsmith::render(&hunt, &platform).unwrap();
            let findings: Vec<String> = kqlsmith::lint(&query, &platform)
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            assert!(
                findings.is_empty(),
                "{} {variant:?}: {findings:?}",
                platform.name
            );
        }
    }
}
