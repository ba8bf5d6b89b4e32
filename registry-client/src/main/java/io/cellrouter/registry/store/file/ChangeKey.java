package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.Change;

/** What changed, before the feed gives it a sequence number and a time. */
record ChangeKey(Change.Kind kind, String key) {}
