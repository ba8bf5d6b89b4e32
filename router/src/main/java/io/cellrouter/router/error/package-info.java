/**
 * The one place where failures become responses: {@link io.cellrouter.router.error.ErrorCode}
 * is the table of README: How a request is routed, {@link io.cellrouter.router.error.RouterException} carries a
 * code through the request path, {@link io.cellrouter.router.error.ErrorResponses} renders it.
 */
package io.cellrouter.router.error;
