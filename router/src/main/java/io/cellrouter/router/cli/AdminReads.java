package io.cellrouter.router.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The read subcommands of {@code cell-router admin} (and {@code cell NAME --state S}). */
final class AdminReads {

    private AdminReads() {}

    @Command(name = "cells", mixinStandardHelpOptions = true, description = "Every cell, with its customer count.")
    static final class Cells extends AdminCommand.Subcommand {

        @Override
        void run(AdminClient client) {
            ArrayNode cells = (ArrayNode) client.get("admin/v1/cells").get("cells");
            for (JsonNode cell : cells) {
                JsonNode one = client.get("admin/v1/cells/" + cell.get("name").asText());
                ((ObjectNode) cell)
                        .put("customerCount", one.path("customerCount").asLong());
            }
            if (json()) {
                ObjectNode root = AdminClient.JSON.createObjectNode();
                root.set("cells", cells);
                printJson(root);
                return;
            }
            TextTable table = new TextTable("CELL", "STATE", "REGION", "TIER", "CUSTOMERS", "VERSION", "ENDPOINT");
            for (JsonNode cell : cells) {
                table.row(
                        cell.get("name").asText(),
                        cell.get("state").asText(),
                        text(cell, "region"),
                        text(cell, "tier"),
                        cell.get("customerCount").asLong(),
                        cell.get("version").asLong(),
                        cell.get("endpoint").asText());
            }
            table.print(out());
        }
    }

    @Command(
            name = "cell",
            mixinStandardHelpOptions = true,
            description = {"One cell with its customer count.", "With --state: change its state, keeping the rest."})
    static final class CellCommand extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "The cell.")
        String name;

        @Option(
                names = "--state",
                paramLabel = "S",
                description = "Set the state: active, draining (no new placements) or offline (fail fast).")
        String state;

        @Override
        void run(AdminClient client) {
            String cell = AdminCommand.name(name, "NAME");
            if (state != null) {
                if (!state.matches("active|draining|offline")) {
                    throw new AdminCommand.BadArgument(
                            "--state must be active, draining or offline, was '" + state + "'");
                }
                client.send(
                        "PATCH",
                        "admin/v1/cells/" + cell,
                        AdminClient.JSON.createObjectNode().put("state", state));
            }
            JsonNode one = client.get("admin/v1/cells/" + cell);
            if (json()) {
                printJson(one);
                return;
            }
            TextTable.pairs(
                    out(),
                    "cell",
                    one.get("name").asText(),
                    "state",
                    one.get("state").asText(),
                    "endpoint",
                    one.get("endpoint").asText(),
                    "region",
                    text(one, "region"),
                    "tier",
                    text(one, "tier"),
                    "labels",
                    labels(one.get("labels")),
                    "version",
                    one.get("version").asLong(),
                    "customers",
                    one.get("customerCount").asLong());
        }
    }

    @Command(
            name = "customers",
            mixinStandardHelpOptions = true,
            description = {
                "Placements, a page at a time (in customer-id order when --cell is given).",
                "The cursor of the next page goes to stderr; --all reads every page."
            })
    static final class Customers extends AdminCommand.Subcommand {

        @Option(names = "--cell", paramLabel = "C", description = "Only the customers of this cell.")
        String cell;

        @Option(names = "--prefix", paramLabel = "P", description = "Only customer ids starting with this.")
        String prefix;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Per page, 1 to 1000.")
        int limit;

        @Option(names = "--cursor", paramLabel = "K", description = "Start at this page (from the previous one).")
        String cursor;

        @Option(names = "--all", description = "Read every page, not only the first.")
        boolean all;

        @Override
        void run(AdminClient client) {
            if (limit < 1 || limit > 1000) {
                throw new AdminCommand.BadArgument("--limit must be from 1 to 1000, was " + limit);
            }
            StringBuilder base = new StringBuilder("admin/v1/customers?limit=").append(limit);
            if (cell != null) {
                base.append("&cell=").append(AdminClient.encode(AdminCommand.name(cell, "--cell")));
            }
            if (prefix != null) {
                base.append("&prefix=").append(AdminClient.encode(prefix));
            }
            ArrayNode customers = AdminClient.JSON.createArrayNode();
            String next = cursor;
            do {
                JsonNode page = client.get(base + (next == null ? "" : "&cursor=" + AdminClient.encode(next)));
                customers.addAll((ArrayNode) page.get("customers"));
                next = page.hasNonNull("next") ? page.get("next").asText() : null;
            } while (all && next != null);
            if (json()) {
                ObjectNode root = AdminClient.JSON.createObjectNode();
                root.set("customers", customers);
                if (next != null) {
                    root.put("next", next);
                }
                printJson(root);
                return;
            }
            TextTable table = new TextTable("CUSTOMER", "CELL", "VERSION", "OVERRIDE");
            for (JsonNode customer : customers) {
                table.row(
                        customer.get("customer").asText(),
                        customer.get("cell").asText(),
                        customer.get("version").asLong(),
                        override(customer.get("override")));
            }
            table.print(out());
            if (next != null) {
                err().println("more: --cursor " + next);
                err().flush();
            }
        }
    }

    @Command(name = "customer", mixinStandardHelpOptions = true, description = "One customer's placement and override.")
    static final class Customer extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The customer.")
        String id;

        @Override
        void run(AdminClient client) {
            JsonNode customer = client.get("admin/v1/customers/" + AdminCommand.name(id, "ID"));
            if (json()) {
                printJson(customer);
                return;
            }
            TextTable.pairs(
                    out(),
                    "customer",
                    customer.get("customer").asText(),
                    "cell",
                    customer.get("cell").asText(),
                    "version",
                    customer.get("version").asLong(),
                    "updatedAt",
                    customer.get("updatedAt").asText(),
                    "override",
                    override(customer.get("override")),
                    "shadow",
                    shadow(customer.get("shadow")));
        }
    }

    @Command(
            name = "resolve",
            mixinStandardHelpOptions = true,
            description = "How this router routes a customer now, and where the answer came from.")
    static final class Resolve extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The customer.")
        String id;

        @Override
        void run(AdminClient client) {
            JsonNode decision = client.get("admin/v1/resolve/" + AdminCommand.name(id, "ID"));
            if (json()) {
                printJson(decision);
                return;
            }
            TextTable.pairs(
                    out(),
                    "customer",
                    decision.get("customer").asText(),
                    "outcome",
                    decision.get("outcome").asText(),
                    "cell",
                    text(decision, "cell"),
                    "source",
                    decision.get("source").asText(),
                    "cacheAge",
                    decision.has("cacheAgeMillis")
                            ? decision.get("cacheAgeMillis").asLong() + " ms"
                            : null,
                    "retryAfter",
                    decision.has("retryAfterSeconds")
                            ? decision.get("retryAfterSeconds").asLong() + " s"
                            : null);
        }
    }

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description = "This router's live traffic per cell over the last 10 s (and 60 s).")
    static final class Stats extends AdminCommand.Subcommand {

        @Override
        void run(AdminClient client) {
            JsonNode stats = client.get("admin/v1/stats");
            if (json()) {
                printJson(stats);
                return;
            }
            TextTable table = new TextTable(
                    "CELL", "RPS", "ERRORS", "P50 MS", "P99 MS", "IN FLIGHT", "RPS 60S", "ERRORS 60S", "P99 MS 60S");
            for (JsonNode cell : stats.get("cells")) {
                JsonNode minute = cell.get("last60s");
                table.row(
                        cell.get("cell").asText(),
                        number(cell.get("rps")),
                        percent(cell.get("errorRatio")),
                        number(cell.get("p50Ms")),
                        number(cell.get("p99Ms")),
                        cell.get("inFlight").asInt(),
                        number(minute.get("rps")),
                        percent(minute.get("errorRatio")),
                        number(minute.get("p99Ms")));
            }
            table.print(out());
        }
    }

    static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    static String override(JsonNode override) {
        if (override == null || override.isNull() || override.isMissingNode()) {
            return null;
        }
        String what = override.path("freeze").asBoolean()
                ? "freeze"
                : "to " + override.get("cell").asText();
        String reason =
                override.hasNonNull("reason") ? " (" + override.get("reason").asText() + ")" : "";
        return what + " until " + override.get("expiresAt").asText() + reason;
    }

    static String shadow(JsonNode shadow) {
        if (shadow == null || shadow.isNull() || shadow.isMissingNode()) {
            return null;
        }
        java.util.List<String> methods = new java.util.ArrayList<>();
        shadow.path("methods").forEach(method -> methods.add(method.asText()));
        String reason =
                shadow.hasNonNull("reason") ? " (" + shadow.get("reason").asText() + ")" : "";
        return String.format(
                        Locale.ROOT,
                        "%s%% of %s to %s until %s",
                        new java.math.BigDecimal(shadow.get("fraction").asText())
                                .movePointRight(2)
                                .stripTrailingZeros()
                                .toPlainString(),
                        String.join(",", methods),
                        shadow.get("toCell").asText(),
                        shadow.get("expiresAt").asText())
                + reason;
    }

    private static String labels(JsonNode labels) {
        if (labels == null || labels.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, JsonNode> label : labels.properties()) {
            text.append(text.length() == 0 ? "" : ", ")
                    .append(label.getKey())
                    .append('=')
                    .append(label.getValue().asText());
        }
        return text.toString();
    }

    private static String number(JsonNode value) {
        return String.format(Locale.ROOT, "%.1f", value.asDouble());
    }

    private static String percent(JsonNode ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio.asDouble() * 100);
    }
}
