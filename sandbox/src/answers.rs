//! Answers built from reference data that never changes, serialized once at start:
//! the process list, and the real municipalities that open every municipality list.
//!
//! The bytes are what serializing the generated types per request gave (same
//! types, same serializer), so precomputing them changes no answer.

use std::num::NonZeroU64;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use smartservice_client::types::{Municipality, MunicipalityId, Process};

use crate::error::ApiError;
use crate::reference;

/// The precomputed answers.
#[derive(Debug, Clone)]
pub struct StaticAnswers {
    /// `listProcesses`' body.
    processes: Bytes,
    /// The real municipalities as a JSON array, without its closing `]`.
    municipalities_open: Vec<u8>,
    /// Whether that array has an element (a test municipality then needs a comma).
    municipalities_any: bool,
}

fn json(body: Bytes) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

impl StaticAnswers {
    /// Serializes the reference data.
    pub fn build() -> Result<Self, serde_json::Error> {
        let processes: Vec<Process> = reference::PROCESSES
            .iter()
            .filter_map(|p| {
                Some(Process {
                    process_id: NonZeroU64::new(p.id)?,
                    process_name: p.name.to_string(),
                })
            })
            .collect();
        let municipalities: Vec<Municipality> = reference::MUNICIPALITIES
            .iter()
            .zip(1u64..)
            .filter_map(|(name, id)| {
                Some(Municipality {
                    munid: MunicipalityId::Int64(NonZeroU64::new(id)?),
                    mun_name: name.to_string(),
                })
            })
            .collect();
        let mut municipalities_open = serde_json::to_vec(&municipalities)?;
        municipalities_open.pop(); // the closing `]`
        Ok(StaticAnswers {
            processes: Bytes::from(serde_json::to_vec(&processes)?),
            municipalities_open,
            municipalities_any: !municipalities.is_empty(),
        })
    }

    /// `listProcesses`' answer.
    pub fn processes(&self) -> Response {
        json(self.processes.clone())
    }

    /// `listMunicipalities`' answer: the real municipalities, then one test
    /// municipality per application of the caller (`(id, name)`, oldest first).
    pub fn municipalities(&self, applications: &[(String, String)]) -> Result<Response, ApiError> {
        let mut body =
            Vec::with_capacity(self.municipalities_open.len() + 96 * applications.len() + 1);
        body.extend_from_slice(&self.municipalities_open);
        let mut first = !self.municipalities_any;
        for (id, name) in applications {
            let id = uuid::Uuid::parse_str(id)
                .map_err(|e| ApiError::Internal(format!("application id: {e}")))?;
            if !first {
                body.push(b',');
            }
            first = false;
            serde_json::to_writer(
                &mut body,
                &Municipality {
                    munid: MunicipalityId::Uuid(id),
                    mun_name: reference::test_municipality_name(name),
                },
            )?;
        }
        body.push(b']');
        Ok(json(Bytes::from(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> (Option<String>, Vec<u8>) {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (content_type, bytes.to_vec())
    }

    #[tokio::test]
    async fn the_answers_are_what_per_request_serialization_gave() {
        let answers = StaticAnswers::build().unwrap();
        let processes: Vec<Process> = reference::PROCESSES
            .iter()
            .map(|p| Process {
                process_id: NonZeroU64::new(p.id).unwrap(),
                process_name: p.name.to_string(),
            })
            .collect();
        let expected = axum::Json(processes).into_response();
        assert_eq!(body(answers.processes()).await, body(expected).await);

        let apps = [
            (
                "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b".to_string(),
                "App \"1\"".to_string(),
            ),
            (
                "00000000-0000-4000-8000-000000000001".to_string(),
                "Zwei".to_string(),
            ),
        ];
        for count in 0..=apps.len() {
            let mut list: Vec<Municipality> = reference::MUNICIPALITIES
                .iter()
                .zip(1u64..)
                .map(|(name, id)| Municipality {
                    munid: MunicipalityId::Int64(NonZeroU64::new(id).unwrap()),
                    mun_name: name.to_string(),
                })
                .collect();
            for (id, name) in &apps[..count] {
                list.push(Municipality {
                    munid: MunicipalityId::Uuid(uuid::Uuid::parse_str(id).unwrap()),
                    mun_name: reference::test_municipality_name(name),
                });
            }
            let expected = axum::Json(list).into_response();
            let got = answers.municipalities(&apps[..count]).unwrap();
            assert_eq!(
                body(got).await,
                body(expected).await,
                "{count} applications"
            );
        }
    }

    #[test]
    fn a_malformed_application_id_is_an_internal_error() {
        let answers = StaticAnswers::build().unwrap();
        let bad = [("nope".to_string(), "x".to_string())];
        assert!(matches!(
            answers.municipalities(&bad),
            Err(ApiError::Internal(_))
        ));
    }
}
