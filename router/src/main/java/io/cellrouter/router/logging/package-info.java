/**
 * The log format: {@link io.cellrouter.router.logging.LogFormats} switches the application and
 * audit logs between readable text and JSON lines, as {@code logging.format} says. The layout of
 * the lines lives in {@code logback.xml}.
 */
package io.cellrouter.router.logging;
