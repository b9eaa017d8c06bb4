//! Generating the client's Rust source from the spec with progenitor.

use crate::spec::{PropertyAlias, Spec, property_aliases};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

/// The path, inside the client crate, of the type progenitor stores in every
/// `Client` and hands to its hooks (credentials and the exchange observer).
pub const INNER_TYPE: &str = "crate::ClientContext";

/// Why the client could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// progenitor rejected the document.
    #[error("progenitor cannot generate a client from {origin}: {message}")]
    Progenitor {
        /// The document's origin.
        origin: String,
        /// progenitor's message.
        message: String,
    },
    /// progenitor produced tokens that are not a Rust file (a progenitor bug).
    #[error("progenitor produced invalid Rust for {origin}: {message}")]
    Syntax {
        /// The document's origin.
        origin: String,
        /// The parser's message.
        message: String,
    },
}

/// The settings this project generates its client with: the builder interface,
/// one merged `Client`, and [`INNER_TYPE`] as the client's inner value.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(INNER_TYPE.parse().expect("INNER_TYPE is a Rust path"))
        .with_derive("PartialEq");
    settings
}

/// Generates the client's Rust source (pretty-printed) from `spec`.
///
/// progenitor asserts on some shapes it cannot handle (for example two different
/// error body types in one operation); such a panic is caught and returned as an
/// error, so a bad spec never aborts the caller.
pub fn generate_client_source(spec: &Spec) -> Result<String, GenerateError> {
    let model = spec.model.clone();
    let tokens = std::panic::catch_unwind(move || {
        let mut generator = Generator::new(&settings());
        generator.generate_tokens(&model).map_err(|e| e.to_string())
    });
    let tokens = match tokens {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(message)) => {
            return Err(GenerateError::Progenitor {
                origin: spec.origin.clone(),
                message,
            });
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "progenitor panicked".to_string());
            return Err(GenerateError::Progenitor {
                origin: spec.origin.clone(),
                message: format!("{message} (run `ssp-codegen lint` for the cause)"),
            });
        }
    };
    let mut file = syn::parse2::<syn::File>(tokens).map_err(|e| GenerateError::Syntax {
        origin: spec.origin.clone(),
        message: e.to_string(),
    })?;
    let aliases = property_aliases(&spec.raw);
    apply_aliases(&mut file.items, &aliases);
    Ok(prettyplease::unparse(&file))
}

/// Adds `#[serde(alias = "...")]` to the fields of the generated (deserializable)
/// structs that the aliases name, so that the client accepts both spellings and
/// still sends the canonical one.
fn apply_aliases(items: &mut [syn::Item], aliases: &[PropertyAlias]) {
    use syn::parse::Parser as _;
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = module.content.as_mut() {
                    apply_aliases(inner, aliases);
                }
            }
            syn::Item::Struct(strukt) if derives_deserialize(&strukt.attrs) => {
                let name = strukt.ident.to_string();
                for field in strukt.fields.iter_mut() {
                    let Some(ident) = field.ident.as_ref().map(|i| i.to_string()) else {
                        continue;
                    };
                    for alias in aliases.iter().filter(|a| a.schema == name) {
                        if serde_name(&field.attrs, &ident) == alias.property {
                            let attr = format!("#[serde(alias = {:?})]", alias.alias);
                            let parsed = syn::Attribute::parse_outer
                                .parse_str(&attr)
                                .expect("a serde alias attribute is valid Rust");
                            field.attrs.extend(parsed);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn derives_deserialize(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("derive") && quote_string(a).contains("Deserialize"))
}

/// The name serde uses on the wire for a field: its `rename`, else its identifier.
fn serde_name(attrs: &[syn::Attribute], ident: &str) -> String {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if let Some(name) = renamed {
            return name;
        }
    }
    ident.trim_start_matches("r#").to_string()
}

fn quote_string(attr: &syn::Attribute) -> String {
    use quote::ToTokens as _;
    attr.to_token_stream().to_string()
}
