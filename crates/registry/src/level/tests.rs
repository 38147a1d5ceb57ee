use super::base::MAX_DEPTH;
use super::*;
use serde_json::json;
use time::macros::date;

const FILE: &str = "registry/levels-nd85-2016.toml";

/// The embedded `nd85-2016` rule set (the kb is loaded once for all tests).
fn nd85() -> RuleSet {
    static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let kb = camguard_kb::Kb::embedded().expect("embedded kb loads");
        let sets = load_rulesets(&kb).expect("embedded rule files parse");
        sets.into_iter()
            .find(|s| s.id == "nd85-2016")
            .expect("nd85-2016 is embedded")
    })
    .clone()
}

fn answers(v: serde_json::Value) -> Answers {
    serde_json::from_value(v).unwrap()
}

fn articles(d: &LevelDecision, level: u8) -> Vec<&str> {
    d.reasons
        .iter()
        .filter(|r| r.level == level)
        .map(|r| r.article.as_str())
        .collect()
}

fn parse_err(text: &str) -> String {
    match RuleSet::parse("registry/levels-test.toml", text) {
        Err(e @ LevelError::Parse { .. }) => e.to_string(),
        Err(e) => panic!("expected a parse error, got {e}"),
        Ok(_) => panic!("expected a parse error, the file parsed"),
    }
}

/// A small valid file to break in the hostile-file tests.
fn mini(rule_condition: &str) -> String {
    let levels: String = (1..=5)
        .map(|n| {
            format!(
                "[[level]]\nlevel = {n}\nprepares_vi = \"a\"\nprepares_en = \"a\"\n\
                 appraises_vi = \"a\"\nappraises_en = \"a\"\napproves_vi = \"a\"\n\
                 approves_en = \"a\"\nassessment_interval_months = 12\n\n"
            )
        })
        .collect();
    format!(
        "schema = 1\nversion = \"t\"\nid = \"test\"\ntitle_vi = \"t\"\ntitle_en = \"t\"\n\
         effective = \"2027-07-01\"\n\n\
         [[question]]\nid = \"kind\"\nkind = \"choice\"\nrequired = true\n\
         prompt_vi = \"p\"\nprompt_en = \"p\"\n\
         [[question.option]]\nid = \"a\"\nlabel_vi = \"a\"\nlabel_en = \"a\"\n\
         [[question.option]]\nid = \"b\"\nlabel_vi = \"b\"\nlabel_en = \"b\"\n\n\
         [[question]]\nid = \"count\"\nkind = \"number\"\nprompt_vi = \"p\"\nprompt_en = \"p\"\n\n\
         [[rule]]\nid = \"r1\"\nlevel = 2\narticle = \"Art. 1\"\narticle_vi = \"Điều 1\"\n\
         text_vi = \"t\"\ntext_en = \"t\"\n{rule_condition}\n\n{levels}"
    )
}

#[test]
fn embedded_rule_file_parses_with_all_levels() {
    let set = nd85();
    assert_eq!(set.effective, date!(2016 - 07 - 01));
    assert_eq!(set.superseded, None);
    assert_eq!(set.version, "2026.11.1");
    assert_eq!(
        set.levels.iter().map(|l| l.level).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    for id in ["system-type", "info"] {
        assert!(set.question(id).unwrap().required, "{id} is required");
    }
    for level in 1..=5 {
        assert!(
            set.rules.iter().any(|r| r.level == level),
            "a rule for level {level}"
        );
    }
    // Art. 20(2)(c): 6 months at level 5, yearly at 3-4, 2 years (configurable) at 1-2.
    let months: Vec<(u32, bool)> = set
        .levels
        .iter()
        .map(|l| {
            (
                l.assessment_interval_months,
                l.assessment_interval_configurable,
            )
        })
        .collect();
    assert_eq!(
        months,
        [(24, true), (24, true), (12, false), (12, false), (6, false)]
    );
    // Art. 16(2): 15 days at level 3, 30 at 4-5; Art. 17(2): 7 working days.
    assert_eq!(set.level(3).unwrap().appraisal_days, Some(15));
    assert_eq!(set.level(4).unwrap().appraisal_days, Some(30));
    assert_eq!(set.level(1).unwrap().appraisal_days, None);
    assert_eq!(set.level(2).unwrap().approval_days, Some(7));
    assert!(set.level(3).unwrap().approves_en.contains("owner"));
    assert!(set.level(5).unwrap().approves_en.contains("Prime Minister"));
    assert!(set.level(6).is_none());
    // The whole set serialises (the CLI prints it as JSON).
    let json = serde_json::to_value(&set).unwrap();
    assert_eq!(json["effective"], "2016-07-01");
    assert_eq!(
        json["rules"][0]["when"]["all"][0]["question"],
        "system-type"
    );
    assert_eq!(json["rules"][0]["when"]["all"][0]["equals"], "internal");
}

#[test]
fn agency_internal_cctv_recording_people_is_level_2() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "internal",
            "info": ["personal", "private"],
        })))
        .unwrap();
    assert_eq!(d.level, 2);
    assert_eq!(d.ruleset, "nd85-2016");
    assert_eq!(d.ruleset_version, "2026.11.1");
    assert_eq!(articles(&d, 2), ["Art. 8(1)"]);
    assert_eq!(d.reasons.len(), 1);
}

#[test]
fn internal_system_with_public_information_only_is_level_1() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "internal",
            "info": ["public"],
            "defence-damage": "none",
            "always-on": false,
        })))
        .unwrap();
    assert_eq!(d.level, 1);
    assert_eq!(articles(&d, 1), ["Art. 7"]);
}

#[test]
fn province_wide_shared_camera_platform_is_level_3() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "infrastructure",
            "info": ["personal"],
            "infra-reach": "regional",
            "always-on": true,
        })))
        .unwrap();
    assert_eq!(d.level, 3);
    assert_eq!(articles(&d, 3), ["Art. 9(3)"]);
    assert_eq!(d.reasons[0].level, 3);
}

#[test]
fn nationwide_24_7_platform_is_level_4_and_lists_the_lower_criterion() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "infrastructure",
            "info": ["personal", "private"],
            "infra-reach": "nationwide",
            "always-on": true,
        })))
        .unwrap();
    assert_eq!(d.level, 4);
    assert_eq!(articles(&d, 4), ["Art. 10(3)"]);
    assert_eq!(articles(&d, 3), ["Art. 9(3)"]);
    assert_eq!(
        d.reasons[0].article, "Art. 10(3)",
        "the decided level first"
    );

    // Without the 24/7 requirement the same platform is level 3.
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "infrastructure",
            "info": ["personal"],
            "infra-reach": "nationwide",
            "always-on": false,
        })))
        .unwrap();
    assert_eq!(d.level, 3);
}

#[test]
fn defence_system_with_especially_serious_damage_is_level_5() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "other",
            "info": ["state-secret", "personal"],
            "defence-damage": "especially-serious",
        })))
        .unwrap();
    assert_eq!(d.level, 5);
    assert_eq!(articles(&d, 5), ["Art. 11(1)"]);
    assert_eq!(articles(&d, 4), ["Art. 10(1)"]);
    assert_eq!(articles(&d, 3), ["Art. 9(1)"]);
}

#[test]
fn state_secrets_lift_an_internal_system_to_level_3() {
    let d = nd85()
        .decide(&answers(json!({
            "system-type": "internal",
            "info": ["personal", "state-secret"],
        })))
        .unwrap();
    assert_eq!(d.level, 3);
    assert_eq!(articles(&d, 3), ["Art. 9(1)"]);
    // Art. 8(1) excludes state secrets, so it is not a reason.
    assert!(articles(&d, 2).is_empty());
}

#[test]
fn citizen_service_thresholds() {
    let set = nd85();
    let level = |users: u32, conditional: bool| {
        set.decide(&answers(json!({
            "system-type": "citizen-services",
            "info": ["personal"],
            "users": users,
            "conditional-business": conditional,
        })))
        .unwrap()
        .level
    };
    assert_eq!(level(9_999, false), 2);
    assert_eq!(level(10_000, false), 3);
    assert_eq!(level(50, true), 3);
}

#[test]
fn industrial_control_grades() {
    let set = nd85();
    let level = |grade: &str| {
        set.decide(&answers(json!({
            "system-type": "industrial-control",
            "info": ["private"],
            "ics-grade": grade,
        })))
        .unwrap()
        .level
    };
    assert_eq!(level("grade-iv"), 3);
    assert_eq!(level("grade-i"), 4);
    assert_eq!(level("special"), 5);
    assert_eq!(level("national-security"), 5);
}

#[test]
fn no_criterion_is_an_error_not_a_guess() {
    let err = nd85()
        .decide(&answers(json!({
            "system-type": "other",
            "info": ["personal"],
        })))
        .unwrap_err();
    let LevelError::NoCriterion {
        ruleset,
        unanswered,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(ruleset, "nd85-2016");
    // Questions without ask_if that could still match are named.
    assert!(
        unanswered.contains(&"defence-damage".to_string()),
        "{unanswered:?}"
    );
    assert!(
        !unanswered.contains(&"ics-grade".to_string()),
        "{unanswered:?}"
    );
    assert!(err.to_string().contains("Art. 21"), "{err}");
}

#[test]
fn core_questions_are_required() {
    let set = nd85();
    let err = set
        .decide(&answers(json!({ "system-type": "internal" })))
        .unwrap_err();
    assert!(
        matches!(&err, LevelError::MissingAnswer(q) if q == "info"),
        "{err}"
    );
    let err = set
        .decide(&answers(json!({ "system-type": "internal", "info": [] })))
        .unwrap_err();
    assert!(
        matches!(&err, LevelError::MissingAnswer(q) if q == "info"),
        "{err}"
    );
    let err = set
        .decide(&answers(json!({ "info": ["public"], "system-type": null })))
        .unwrap_err();
    assert!(
        matches!(&err, LevelError::MissingAnswer(q) if q == "system-type"),
        "{err}"
    );
    assert!(err.to_string().contains("system-type"));
}

#[test]
fn validation_errors_name_the_question() {
    let set = nd85();
    let cases = [
        (json!({ "colour": "red" }), "colour"),
        (json!({ "system-type": "cloud" }), "system-type"),
        (json!({ "system-type": ["internal"] }), "system-type"),
        (json!({ "info": "public" }), "info"),
        (json!({ "info": ["public", "secret"] }), "info"),
        (json!({ "info": ["public", "public"] }), "info"),
        (json!({ "info": [1] }), "info"),
        (json!({ "users": "many" }), "users"),
        (json!({ "users": -1 }), "users"),
        (json!({ "always-on": "yes" }), "always-on"),
    ];
    for (value, question) in cases {
        let a = answers(value.clone());
        let err = set.validate(&a).unwrap_err();
        let named = match &err {
            LevelError::UnknownQuestion(q) => q,
            LevelError::BadAnswer { question, .. } => question,
            other => panic!("{value}: unexpected {other}"),
        };
        assert_eq!(named, question, "{value}");
        assert!(err.to_string().contains(question), "{err}");
        // decide validates first.
        assert!(set.decide(&a).is_err());
    }
    assert!(
        set.validate(&answers(json!({
            "system-type": "internal", "info": ["public"], "users": 12.0,
            "always-on": true, "ics-grade": null,
        })))
        .is_ok()
    );
    let err = set
        .validate(&answers(json!({ "system-type": "cloud" })))
        .unwrap_err()
        .to_string();
    assert!(err.contains("internal") && err.contains("cloud"), "{err}");
}

#[test]
fn ask_if_follows_the_system_type() {
    let set = nd85();
    let q = set.question("ics-grade").unwrap();
    assert!(!q.is_asked(&answers(json!({ "system-type": "internal" }))));
    assert!(q.is_asked(&answers(json!({ "system-type": "industrial-control" }))));
    assert!(set.question("info").unwrap().is_asked(&Answers::new()));
}

#[test]
fn composite_takes_the_highest_level() {
    assert_eq!(composite_level(&[2, 3, 1]), Some(3));
    assert_eq!(composite_level(&[5]), Some(5));
    assert_eq!(composite_level(&[]), None);
    assert_eq!(composite_level(&[2, 0]), None);
    assert_eq!(composite_level(&[2, 6]), None);
}

#[test]
fn ruleset_in_force_picks_the_latest_effective() {
    let old = nd85();
    let new = RuleSet::parse(
        "registry/levels-test.toml",
        &mini("all = [{ question = \"kind\", equals = \"a\" }]"),
    )
    .unwrap();
    assert_eq!(new.effective, date!(2027 - 07 - 01));
    let sets = [old, new];
    assert_eq!(
        ruleset_in_force(&sets, date!(2023 - 03 - 31)).unwrap().id,
        "nd85-2016"
    );
    assert_eq!(
        ruleset_in_force(&sets, date!(2027 - 06 - 30)).unwrap().id,
        "nd85-2016"
    );
    assert_eq!(
        ruleset_in_force(&sets, date!(2027 - 07 - 01)).unwrap().id,
        "test"
    );
    assert!(ruleset_in_force(&sets, date!(2016 - 06 - 30)).is_none());
}

#[test]
fn overlay_rule_file_is_loaded_beside_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("registry")).unwrap();
    std::fs::write(
        dir.path().join("registry/levels-test.toml"),
        mini("all = [{ question = \"kind\", equals = \"a\" }]"),
    )
    .unwrap();
    let kb = camguard_kb::Kb::builder()
        .overlay_dir(dir.path())
        .build()
        .unwrap();
    let sets = load_rulesets(&kb).unwrap();
    let ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["nd85-2016", "test"], "ordered by effective");

    // A second file reusing an id is refused, naming the file.
    std::fs::write(
        dir.path().join("registry/levels-copy.toml"),
        mini("all = [{ question = \"kind\", equals = \"a\" }]"),
    )
    .unwrap();
    let kb = camguard_kb::Kb::builder()
        .overlay_dir(dir.path())
        .build()
        .unwrap();
    let err = load_rulesets(&kb).unwrap_err().to_string();
    assert!(err.contains("levels-") && err.contains("`test`"), "{err}");
}

#[test]
fn small_rule_file_decides() {
    let set = RuleSet::parse(
        "registry/levels-test.toml",
        &mini(
            "all = [{ question = \"kind\", equals = \"a\" }, { any = [\
             { question = \"count\", gte = 5 }, { none = [{ question = \"count\", lt = 100 }] }] }]",
        ),
    )
    .unwrap();
    let level = |v: serde_json::Value| set.decide(&answers(v)).map(|d| d.level);
    assert_eq!(level(json!({ "kind": "a", "count": 7 })).unwrap(), 2);
    assert!(level(json!({ "kind": "a", "count": 1 })).is_err());
    // An unanswered count fails `lt`, so `none` holds.
    assert_eq!(level(json!({ "kind": "a" })).unwrap(), 2);
    assert!(level(json!({ "kind": "b", "count": 7 })).is_err());
}

#[test]
fn hostile_or_broken_rule_files_give_clear_errors() {
    let cases: Vec<(String, &str)> = vec![
        ("schema = 1\nid = [".into(), "TOML parse error"),
        ("schema = 1\n".into(), "missing field"),
        (
            mini("all = [{ question = \"colour\", equals = \"a\" }]"),
            "unknown question `colour`",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"c\" }]"),
            "has no option `c`",
        ),
        (
            mini("all = [{ question = \"kind\", gte = 3 }]"),
            "does not apply to `kind`",
        ),
        (
            mini("all = [{ question = \"count\", like = 3 }]"),
            "unknown operator `like`",
        ),
        (
            mini("all = [{ question = \"count\", gte = 3, lt = 4 }]"),
            "exactly one operator",
        ),
        (
            mini("all = [{ question = \"count\" }]"),
            "exactly one operator",
        ),
        (mini("all = [\"kind\"]"), "expected a table"),
        (mini("all = []"), "`all` is empty"),
        (mini("all = [{ every = [] }]"), "unknown group `every`"),
        (mini(""), "has no condition"),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]")
                .replace("level = 2", "level = 7"),
            "level 7",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]")
                .replace("[[level]]\nlevel = 5", "[[level]]\nlevel = 4"),
            "defined twice",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]").replacen(
                "id = \"kind\"",
                "id = \"Kind!\"",
                1,
            ),
            "a-z",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]")
                .replace("effective = \"2027-07-01\"", "effective = \"2027-02-30\""),
            "not a valid date",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]")
                .replace("schema = 1", "schema = 9"),
            "newer",
        ),
        (
            mini("all = [{ question = \"kind\", equals = \"a\" }]")
                .replace("text_en = \"t\"", "text_en = \"t\"\nsecret = 1"),
            "unknown field `secret`",
        ),
    ];
    for (text, expected) in cases {
        let err = parse_err(&text);
        assert!(err.contains("registry/levels-test.toml"), "{err}");
        assert!(err.contains(expected), "expected {expected:?} in: {err}");
    }

    // Deep nesting is refused (by our depth limit, or first by the TOML parser's), never a
    // stack overflow.
    let nested = |n: usize| {
        format!(
            "all = [{}{{ question = \"kind\", equals = \"a\" }}{}]",
            "{ all = [".repeat(n),
            "] }".repeat(n)
        )
    };
    assert!(RuleSet::parse("t", &mini(&nested(MAX_DEPTH - 1))).is_ok());
    let err = parse_err(&mini(&nested(MAX_DEPTH)));
    assert!(err.contains("deeper than 16"), "{err}");
    let err = parse_err(&mini(&nested(5_000)));
    assert!(err.contains("TOML parse error"), "{err}");
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = parse_err(&mini(&format!("all = {deep}")));
    assert!(err.contains("TOML parse error"), "{err}");
}

#[test]
fn the_real_file_refers_only_to_known_questions_and_options() {
    // parse() checks this; here we check the file's own claims about ids stay stable.
    let set = nd85();
    let ids: Vec<&str> = set.questions.iter().map(|q| q.id.as_str()).collect();
    for id in [
        "system-type",
        "info",
        "public-service-level",
        "conditional-business",
        "users",
        "infra-reach",
        "always-on",
        "national-egov",
        "defence-damage",
        "ics-grade",
        "national-critical-data",
        "pm-decision",
    ] {
        assert!(ids.contains(&id), "question {id}");
    }
    let info = set.question("info").unwrap();
    assert_eq!(info.kind, QuestionKind::Set);
    let opts: Vec<&str> = info.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(opts, ["public", "private", "personal", "state-secret"]);
    assert!(FILE.starts_with(RULESET_PREFIX));
}

#[test]
fn decision_round_trips_through_json() {
    let d = nd85()
        .decide(&answers(
            json!({ "system-type": "internal", "info": ["personal"] }),
        ))
        .unwrap();
    let back: LevelDecision = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back, d);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A plausible answer (or none) for each question of the real file.
    fn answers_for(set: &RuleSet) -> Vec<BoxedStrategy<serde_json::Value>> {
        set.questions
            .iter()
            .map(|q| {
                let ids: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
                let answer = match q.kind {
                    QuestionKind::Choice => proptest::sample::select(ids)
                        .prop_map(serde_json::Value::from)
                        .boxed(),
                    QuestionKind::Set => {
                        let n = ids.len();
                        proptest::sample::subsequence(ids, 0..=n)
                            .prop_map(serde_json::Value::from)
                            .boxed()
                    }
                    QuestionKind::Number => {
                        (0u32..30_000).prop_map(serde_json::Value::from).boxed()
                    }
                    QuestionKind::Bool => any::<bool>().prop_map(serde_json::Value::from).boxed(),
                };
                prop_oneof![1 => Just(serde_json::Value::Null), 3 => answer].boxed()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn decide_never_panics_and_is_consistent(values in answers_for(&nd85())) {
            let set = nd85();
            let a: Answers = set
                .questions
                .iter()
                .zip(values)
                .map(|(q, v)| (q.id.clone(), v))
                .collect();
            prop_assert!(set.validate(&a).is_ok());
            match set.decide(&a) {
                Ok(d) => {
                    prop_assert!((1..=5).contains(&d.level));
                    prop_assert!(!d.reasons.is_empty());
                    prop_assert_eq!(d.reasons[0].level, d.level);
                    prop_assert!(d.reasons.iter().all(|r| r.level <= d.level));
                    // Adding state secrets never lowers the level, and lifts it to 3 at
                    // least (Art. 9(1)).
                    let mut more = a.clone();
                    let mut info: Vec<String> =
                        serde_json::from_value(a["info"].clone()).unwrap();
                    if !info.iter().any(|i| i == "state-secret") {
                        info.push("state-secret".into());
                    }
                    more.insert("info".into(), serde_json::json!(info));
                    let higher = set.decide(&more).unwrap();
                    prop_assert!(higher.level >= d.level.max(3));
                }
                Err(LevelError::MissingAnswer(q)) => {
                    prop_assert!(set.question(&q).unwrap().required);
                }
                Err(LevelError::NoCriterion { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
        }
    }
}
