package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.metrics.LiveStats;
import io.cellrouter.router.metrics.LiveStats.CellTraffic;
import io.cellrouter.router.metrics.LiveStats.Figures;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * {@code GET /admin/v1/stats}: this instance's live traffic per cell (every cell it knows, and any
 * other that had traffic in the last minute), from {@link LiveStats}:
 *
 * <pre>
 * {"windowSeconds": 10,
 *  "cells": [{"cell": "cell-1", "rps": 812.4, "errorRatio": 0.001, "p50Ms": 0.9, "p99Ms": 4.1, "inFlight": 3,
 *             "requests": 8124, "errors": 8,
 *             "last60s": {"rps": 790.2, "errorRatio": 0.0, "p50Ms": 0.9, "p99Ms": 3.8, "requests": 47412, "errors": 9},
 *             "requestsPerSecond": [...60, oldest first], "errorsPerSecond": [...60]}]}
 * </pre>
 *
 * <p>The top-level figures of a cell are the last 10 complete seconds; {@code last60s} the last 60.
 * {@code inFlight} is now (the cell's bulkhead). Only this instance: a fleet's total is the sum over
 * its routers (or Prometheus).
 */
final class StatsEndpoint {

    private final LiveStats live;
    private final ToIntFunction<String> inFlight;
    private final Resolver resolver;

    StatsEndpoint(LiveStats live, ToIntFunction<String> inFlight, Resolver resolver) {
        this.live = live;
        this.inFlight = inFlight;
        this.resolver = resolver;
    }

    Answer stats() {
        Map<String, CellTraffic> traffic = new TreeMap<>();
        for (Cell cell : resolver.cells()) {
            traffic.put(cell.name(), null);
        }
        for (CellTraffic cell : live.read()) {
            traffic.put(cell.cell(), cell);
        }
        ObjectNode body = JsonBody.JSON.createObjectNode().put("windowSeconds", LiveStats.SHORT_WINDOW);
        ArrayNode cells = body.putArray("cells");
        traffic.forEach((name, cell) -> {
            ObjectNode entry = cells.addObject().put("cell", name);
            figures(entry, cell == null ? null : cell.shortWindow());
            entry.put("inFlight", inFlight.applyAsInt(name));
            figures(entry.putObject("last60s"), cell == null ? null : cell.longWindow());
            ArrayNode requests = entry.putArray("requestsPerSecond");
            ArrayNode errors = entry.putArray("errorsPerSecond");
            for (int i = 0; i < LiveStats.LONG_WINDOW; i++) {
                requests.add(cell == null ? 0 : cell.requestsPerSecond()[i]);
                errors.add(cell == null ? 0 : cell.errorsPerSecond()[i]);
            }
        });
        return Answer.of(HttpResponseStatus.OK, body);
    }

    private static void figures(ObjectNode node, Figures figures) {
        node.put("rps", figures == null ? 0 : round(figures.rps()))
                .put("errorRatio", figures == null ? 0 : round(figures.errorRatio()))
                .put("p50Ms", figures == null ? 0 : round(figures.p50Ms()))
                .put("p99Ms", figures == null ? 0 : round(figures.p99Ms()))
                .put("requests", figures == null ? 0 : figures.requests())
                .put("errors", figures == null ? 0 : figures.errors());
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
