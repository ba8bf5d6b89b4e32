/** Choosing and opening the registry store named by the configuration. */
package io.cellrouter.router.registry;
