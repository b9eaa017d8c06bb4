//! Request generation from the spec's schemas.
//!
//! A request is one JSON value `{"query": {...}, "body": ...}` checked against the
//! operation's request schema (see [`crate::spec_model::Operation::request_schema`]).
//! - [`strategy`]: proptest strategies whose values satisfy every constraint;
//! - [`mutate`]: negative cases that break exactly one named constraint;
//! - [`boundary`]: deterministic boundary values, sent before the random ones;
//! - [`pointer`]: JSON pointer edits used by both.

pub mod boundary;
pub mod mutate;
pub mod pointer;
pub mod strategy;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The runners' configuration (made once: a runner is made for every case).
static RUNNER_CONFIG: std::sync::LazyLock<Config> = std::sync::LazyLock::new(|| Config {
    failure_persistence: None,
    ..Config::default()
});

/// A deterministic proptest runner for `seed`, salted with `salt` (an operation
/// id), so that every operation draws its own reproducible sequence.
pub fn runner(seed: u64, salt: &str) -> TestRunner {
    let mut bytes = [0u8; 32];
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    for byte in salt.bytes() {
        state = (state ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
    }
    for chunk in bytes.chunks_mut(8) {
        state = splitmix(state);
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    TestRunner::new_with_rng(
        RUNNER_CONFIG.clone(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::{Strategy, ValueTree};

    #[test]
    fn the_same_seed_draws_the_same_values() {
        let draw = |seed, salt| {
            let mut r = runner(seed, salt);
            (0..5)
                .map(|_| (0u64..1_000_000).new_tree(&mut r).unwrap().current())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7, "a"), draw(7, "a"));
        assert_ne!(draw(7, "a"), draw(7, "b"));
        assert_ne!(draw(7, "a"), draw(8, "a"));
    }
}
