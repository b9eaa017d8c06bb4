//! Generates the client from `../spec/openapi.yaml` into `$OUT_DIR/codegen.rs`.
//!
//! Any change to the spec reruns this script on the next build, so the client never
//! lags behind the spec. A spec that cannot be loaded or generated fails the build
//! with the reason (and no panic trace).

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec_path = manifest_dir.join("../spec/openapi.yaml");
    println!("cargo:rerun-if-changed={}", spec_path.display());

    let result = smartservice_codegen::Spec::load(&spec_path)
        .map_err(|e| e.to_string())
        .and_then(|spec| {
            smartservice_codegen::generate::generate_client_source(&spec).map_err(|e| e.to_string())
        });
    match result {
        Ok(source) => {
            let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"))
                .join("codegen.rs");
            if let Err(e) = std::fs::write(&out, source) {
                eprintln!("error: cannot write {}: {e}", out.display());
                std::process::exit(1);
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}
