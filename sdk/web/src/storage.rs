//! localStorage, with every failure (private browsing, a full quota, a disabled store)
//! turned into a value instead of an exception.
//!
//! Why localStorage and not IndexedDB: a write is synchronous, so an event is on disk by
//! the time `apply()` returns and survives a crash or a closed tab in the same instant;
//! IndexedDB transactions commit asynchronously and a tab closed mid-transaction loses
//! them. It is also the store that works in every in-app WebView we target. The outbox is
//! bounded (1 MB by default) to stay well inside the 5 MB an origin gets.
use web_sys::Storage;

pub struct Store {
    storage: Option<Storage>,
}

impl Store {
    /// The page's localStorage, or an unavailable store.
    pub fn local() -> Store {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Store { storage }
    }

    pub fn unavailable() -> Store {
        Store { storage: None }
    }

    pub fn available(&self) -> bool {
        self.storage.is_some()
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok().flatten()
    }

    /// Writes a value; `Err` with the browser's reason when the quota is exceeded or the
    /// store is unavailable.
    pub fn set(&self, key: &str, value: &str) -> Result<(), String> {
        let s = self
            .storage
            .as_ref()
            .ok_or_else(|| "localStorage is unavailable".to_owned())?;
        s.set_item(key, value).map_err(|e| {
            js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_else(|| "localStorage write failed".to_owned())
        })
    }

    pub fn remove(&self, key: &str) {
        if let Some(s) = &self.storage {
            let _ = s.remove_item(key);
        }
    }

    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let Some(s) = &self.storage else {
            return Vec::new();
        };
        let n = s.length().unwrap_or(0);
        (0..n)
            .filter_map(|i| s.key(i).ok().flatten())
            .filter(|k| k.starts_with(prefix))
            .collect()
    }
}
