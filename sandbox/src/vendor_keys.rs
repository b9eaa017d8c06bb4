//! Which vendor an apikey belongs to, answered from memory.
//!
//! The index maps the SHA-256 digest of each vendor's apikey to the vendor's id
//! and its subscription key's digest. It is read from the database at start and
//! changed only here, by the two writes that set an apikey (registration and
//! regeneration), right after they commit and before their answer is sent: a
//! regenerated key is rejected from the moment the new one is handed out. Like the
//! database, the index holds digests only, never a key.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rusqlite::Connection;

use crate::auth::{self, KeyDigest};
use crate::error::ApiError;
use crate::store::{self, VendorFields};

#[derive(Debug, Clone)]
struct Entry {
    vendor: Arc<str>,
    subscription: KeyDigest,
}

#[derive(Debug, Default)]
struct Index {
    /// apikey digest -> its vendor.
    by_key: HashMap<KeyDigest, Entry>,
    /// vendor id -> its current apikey digest.
    key_of: HashMap<Arc<str>, KeyDigest>,
}

impl Index {
    /// Points `vendor` at `apikey`, forgetting its previous key; a vendor not yet
    /// indexed needs its `subscription`.
    fn set(&mut self, vendor: &str, subscription: Option<KeyDigest>, apikey: KeyDigest) {
        let known = self
            .key_of
            .get_key_value(vendor)
            .map(|(id, key)| (id.clone(), *key));
        let old = known.as_ref().and_then(|(_, key)| self.by_key.remove(key));
        let Some(subscription) = subscription.or(old.map(|e| e.subscription)) else {
            return;
        };
        let vendor = known.map_or_else(|| Arc::from(vendor), |(id, _)| id);
        self.key_of.insert(vendor.clone(), apikey);
        self.by_key.insert(
            apikey,
            Entry {
                vendor,
                subscription,
            },
        );
    }
}

/// The apikey index (see the module documentation).
#[derive(Default)]
pub struct VendorKeys {
    index: RwLock<Index>,
}

impl std::fmt::Debug for VendorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VendorKeys({} vendors)", self.read().by_key.len())
    }
}

impl VendorKeys {
    /// The index of every vendor in the database.
    pub fn load(conn: &Connection) -> Result<Self, ApiError> {
        let mut index = Index::default();
        for (vendor, subscription, apikey) in store::vendor_keys(conn)? {
            // Every stored digest was written by `auth::digest`; a row that is not
            // one could never have matched a presented key, so it is left out.
            match (
                KeyDigest::from_hex(&subscription),
                KeyDigest::from_hex(&apikey),
            ) {
                (Some(subscription), Some(apikey)) => {
                    index.set(&vendor, Some(subscription), apikey)
                }
                _ => tracing::warn!("vendor {vendor}: stored key digests are malformed; ignored"),
            }
        }
        Ok(VendorKeys {
            index: RwLock::new(index),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The id of the vendor whose apikey is `token`, registered under the
    /// subscription whose key has the digest `subscription`; else a 401.
    pub fn resolve(&self, subscription: &KeyDigest, token: &str) -> Result<String, ApiError> {
        let presented = KeyDigest::of(token);
        let index = self.read();
        let Some((stored, entry)) = index.by_key.get_key_value(&presented) else {
            return Err(auth::unauthorized_vendor());
        };
        let same_key = stored.ct_eq(&presented);
        let same_subscription = entry.subscription.ct_eq(subscription);
        if bool::from(same_key & same_subscription) {
            Ok(entry.vendor.to_string())
        } else {
            Err(auth::unauthorized_vendor())
        }
    }

    /// Registers a vendor: stores it (committed) and indexes its apikey.
    /// Takes the connection itself, so that it never runs inside a transaction that
    /// could still be rolled back after the index changed.
    pub fn insert_vendor(
        &self,
        conn: &mut Connection,
        id: &str,
        subscription: KeyDigest,
        apikey: KeyDigest,
        fields: &VendorFields,
    ) -> Result<(), ApiError> {
        let tx = conn.transaction()?;
        store::insert_vendor(&tx, id, &subscription.to_hex(), &apikey.to_hex(), fields)?;
        tx.commit()?;
        self.write().set(id, Some(subscription), apikey);
        Ok(())
    }

    /// Replaces a vendor's apikey: stores the new digest (committed), and from then
    /// on only the new key resolves.
    pub fn set_apikey(
        &self,
        conn: &mut Connection,
        id: &str,
        apikey: KeyDigest,
    ) -> Result<(), ApiError> {
        let tx = conn.transaction()?;
        store::set_apikey(&tx, id, &apikey.to_hex())?;
        tx.commit()?;
        self.write().set(id, None, apikey);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str) -> VendorFields {
        VendorFields {
            provider_name: name.into(),
            ..VendorFields::default()
        }
    }

    fn database() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(store::SCHEMA).unwrap();
        conn
    }

    #[test]
    fn a_regenerated_key_is_rejected_at_once() {
        let mut conn = database();
        let keys = VendorKeys::default();
        let sub = KeyDigest::of("sub");
        keys.insert_vendor(&mut conn, "v1", sub, KeyDigest::of("ak_old"), &fields("A"))
            .unwrap();
        assert_eq!(keys.resolve(&sub, "ak_old").unwrap(), "v1");
        keys.set_apikey(&mut conn, "v1", KeyDigest::of("ak_new"))
            .unwrap();
        assert!(matches!(
            keys.resolve(&sub, "ak_old"),
            Err(ApiError::Unauthorized(_))
        ));
        assert_eq!(keys.resolve(&sub, "ak_new").unwrap(), "v1");
        // Twice in a row: only the newest works.
        keys.set_apikey(&mut conn, "v1", KeyDigest::of("ak_newer"))
            .unwrap();
        assert!(keys.resolve(&sub, "ak_new").is_err());
        assert_eq!(keys.resolve(&sub, "ak_newer").unwrap(), "v1");
        // The database agrees: a fresh index built from it resolves the same.
        let reloaded = VendorKeys::load(&conn).unwrap();
        assert!(reloaded.resolve(&sub, "ak_old").is_err());
        assert!(reloaded.resolve(&sub, "ak_new").is_err());
        assert_eq!(reloaded.resolve(&sub, "ak_newer").unwrap(), "v1");
    }

    #[test]
    fn a_second_vendors_key_never_resolves_to_the_first() {
        let mut conn = database();
        let keys = VendorKeys::default();
        let sub = KeyDigest::of("sub");
        keys.insert_vendor(&mut conn, "v1", sub, KeyDigest::of("ak_1"), &fields("A"))
            .unwrap();
        keys.insert_vendor(&mut conn, "v2", sub, KeyDigest::of("ak_2"), &fields("B"))
            .unwrap();
        assert_eq!(keys.resolve(&sub, "ak_1").unwrap(), "v1");
        assert_eq!(keys.resolve(&sub, "ak_2").unwrap(), "v2");
        // Regenerating one vendor's key leaves the other's alone.
        keys.set_apikey(&mut conn, "v2", KeyDigest::of("ak_2b"))
            .unwrap();
        assert_eq!(keys.resolve(&sub, "ak_1").unwrap(), "v1");
        assert_eq!(keys.resolve(&sub, "ak_2b").unwrap(), "v2");
        assert!(keys.resolve(&sub, "ak_2").is_err());
        assert!(keys.resolve(&sub, "ak_3").is_err());
        assert!(keys.resolve(&sub, "").is_err());
    }

    #[test]
    fn a_key_works_only_under_its_own_subscription() {
        let mut conn = database();
        let keys = VendorKeys::default();
        let one = KeyDigest::of("key-one");
        let two = KeyDigest::of("key-two");
        keys.insert_vendor(&mut conn, "v1", one, KeyDigest::of("ak_1"), &fields("A"))
            .unwrap();
        assert!(keys.resolve(&two, "ak_1").is_err());
        // Regeneration keeps the subscription.
        keys.set_apikey(&mut conn, "v1", KeyDigest::of("ak_1b"))
            .unwrap();
        assert!(keys.resolve(&two, "ak_1b").is_err());
        assert_eq!(keys.resolve(&one, "ak_1b").unwrap(), "v1");
        assert_eq!(
            VendorKeys::load(&conn)
                .unwrap()
                .resolve(&one, "ak_1b")
                .unwrap(),
            "v1"
        );
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let mut conn = database();
        let keys = VendorKeys::default();
        let sub = KeyDigest::of("sub");
        keys.insert_vendor(&mut conn, "v1", sub, KeyDigest::of("ak_1"), &fields("A"))
            .unwrap();
        // The same id again breaks the primary key: no second entry appears.
        assert!(
            keys.insert_vendor(&mut conn, "v1", sub, KeyDigest::of("ak_x"), &fields("A"))
                .is_err()
        );
        assert!(keys.resolve(&sub, "ak_x").is_err());
        assert_eq!(keys.resolve(&sub, "ak_1").unwrap(), "v1");
        assert!(!format!("{keys:?}").contains("ak_"));
    }
}
