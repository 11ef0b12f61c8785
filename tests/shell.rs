//! `chargecov completions` and `chargecov man`.

use crate::common;

use common::chargecov;

#[test]
fn completions_know_every_subcommand_and_their_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = chargecov().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "check",
            "corridor",
            "validate",
            "diff",
            "spacing-km",
            "min-power-kw",
        ] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    let out = chargecov().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_manual_has_a_page_per_subcommand() {
    let out = chargecov().arg("man").output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    for page in [
        "chargecov",
        "chargecov-check",
        "chargecov-corridor",
        "chargecov-diff",
    ] {
        assert!(
            roff.lines()
                .any(|l| l.starts_with(&format!(".TH {page} 1"))),
            "no page {page}"
        );
    }
    assert!(roff.contains(&format!("\"corridor {}\"", env!("CARGO_PKG_VERSION"))));
    assert!(roff.contains("spacing\\-km"), "flags are listed");
}
