package io.cellrouter.router.identity;

/**
 * Who the request is for: the customer id, the cell named in a verified token (a routing hint,
 * or null), and the kind of source that found it (for logs and {@code /admin/v1/resolve}).
 */
public record Identity(String customer, String cellHint, String source) {}
