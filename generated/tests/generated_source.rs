//! The generated client's source as an insta snapshot: any spec change shows in a
//! pull request as a diff of the client's API, and this test fails while the
//! committed snapshot is stale (accept with `cargo insta review` or
//! `INSTA_UPDATE=always cargo test -p smartservice-client --test generated_source`).

#[test]
fn generated_client_source_matches_the_snapshot() {
    let source = include_str!(concat!(env!("OUT_DIR"), "/codegen.rs"));
    insta::assert_snapshot!("client_source", source);
}
