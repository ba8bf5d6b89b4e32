/**
 * What a cell needs to take part in routing, with nothing but the JDK: {@link
 * io.cellrouter.registry.cell.CellOwnership} says, from the cell's own view of where a customer
 * lives, whether to serve a request or answer {@code 421 Misdirected Request} naming the owner, so
 * that the router corrects a misroute at once (README "Migration runbook").
 */
package io.cellrouter.registry.cell;
