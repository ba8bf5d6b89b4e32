/**
 * Where the registry lives. Start at {@link io.cellrouter.registry.store.RegistryStore} (one async
 * interface for every store, with conditional writes and a change feed) and
 * {@link io.cellrouter.registry.store.RegistryDocuments} (the document format of the file store and
 * of import/export). Implementations: {@code store.file}, {@code store.dynamodb}; both pass the one
 * contract test suite.
 */
package io.cellrouter.registry.store;
