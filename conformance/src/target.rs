//! The implementation under test: a base URL with keys, or the embedded sandbox
//! started in-process on 127.0.0.1 (port 0) with fast webhook retries.

use crate::config::TargetConfig;

/// A running target.
pub struct Target {
    /// Its base URL.
    pub base_url: String,
    /// The subscription key to use.
    pub subscription_key: String,
    /// A vendor apikey given by the user.
    pub api_key: Option<String>,
    /// The control API's base URL, if any.
    pub control_url: Option<String>,
    /// How reports name it.
    pub description: String,
    sandbox: Option<smartservice_sandbox::Sandbox>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("description", &self.description)
            .finish()
    }
}

impl Target {
    /// Starts (embedded) or names (remote) the target.
    pub async fn start(config: &TargetConfig) -> Result<Target, String> {
        match config {
            TargetConfig::Embedded => {
                let sandbox =
                    smartservice_sandbox::Sandbox::start(smartservice_sandbox::Config::ephemeral())
                        .await
                        .map_err(|e| format!("cannot start the embedded sandbox: {e:#}"))?;
                let base_url = sandbox.base_url().trim_end_matches('/').to_string();
                Ok(Target {
                    description: format!("embedded sandbox at {base_url}"),
                    control_url: Some(format!("{base_url}/sandbox")),
                    subscription_key: sandbox.subscription_key().to_string(),
                    api_key: None,
                    base_url,
                    sandbox: Some(sandbox),
                })
            }
            TargetConfig::Remote {
                base_url,
                subscription_key,
                api_key,
                control_url,
            } => Ok(Target {
                base_url: base_url.trim_end_matches('/').to_string(),
                subscription_key: subscription_key.clone(),
                api_key: api_key.clone(),
                control_url: control_url.clone(),
                description: base_url.clone(),
                sandbox: None,
            }),
        }
    }

    /// Stops the embedded sandbox, if there is one.
    pub async fn shutdown(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}
