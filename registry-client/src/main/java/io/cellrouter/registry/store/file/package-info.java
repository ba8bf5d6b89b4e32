/**
 * The embedded file registry: {@link io.cellrouter.registry.store.file.FileRegistryStore} holds one
 * YAML/JSON document in memory, reloads it when it is edited, and writes it back atomically.
 */
package io.cellrouter.registry.store.file;
